import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import { takeDailyCheckpoint } from './checkpoints.ts';
import { type AuditSigner, resolveAuditSigner } from './signing.ts';

declare module 'fastify' {
  interface FastifyInstance {
    auditSigner: AuditSigner;
  }
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Holds the audit key's signer and takes each organisation's daily checkpoint: after the first
 * successful write of a UK day (by the app's clock), once its transaction has committed. A
 * checkpoint that fails is logged, never turned into a failed write: the change stands, and
 * the next write tries again.
 */
export const auditPlugin = fp(
  async (app: FastifyInstance, options: { config: Config }) => {
    app.decorate('auditSigner', await resolveAuditSigner(options.config));
    app.addHook('onSend', async (request, reply) => {
      const organisationId = request.access?.organisationId;
      if (!organisationId || !WRITES.has(request.method) || reply.statusCode >= 400) return;
      try {
        await takeDailyCheckpoint(app.db, app.auditSigner, organisationId, app.clock.now());
      } catch (error) {
        request.log.warn({ err: error }, 'daily audit checkpoint failed');
      }
    });
  },
  { name: 'audit', dependencies: ['database', 'clock'] },
);
