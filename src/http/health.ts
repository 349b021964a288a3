import type { FastifyInstance } from 'fastify';
import { sendProblem } from './error-handler.ts';
import { UnavailableProblem } from '../shared/problems.ts';

const READY_TIMEOUT_MS = 2_000;

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/ready', { schema: { hide: true } }, async (request, reply) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        app.database.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('database ping timed out')), READY_TIMEOUT_MS);
        }),
      ]);
      // With a replica (DATABASE_READ_URL), where reports read now and why: for operators and
      // the cluster tests; the balancer needs only the status.
      const replica = app.database.replica?.current();
      return replica ? { status: 'ready', reads: replica.usable ? 'replica' : 'primary', replicaLagSeconds: replica.lagSeconds } : { status: 'ready' };
    } catch {
      return sendProblem(reply, request, new UnavailableProblem());
    } finally {
      clearTimeout(timer);
    }
  });
}
