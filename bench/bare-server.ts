import Fastify from 'fastify';

/**
 * The floor for read throughput: a bare Fastify route that returns a fixed JSON body of the
 * given size, in a process of its own like the real server.
 */
if (!process.send) throw new Error('bench/bare-server.ts is started by a benchmark');
const size = Number(process.env.BARE_BODY_BYTES ?? 2000);
const body = JSON.stringify({ padding: 'x'.repeat(Math.max(0, size - 14)) });
const app = Fastify({ logger: false });
app.get('/fixed', async (_request, reply) => reply.type('application/json').send(body));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.send({ kind: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
process.on('message', async (message: { kind: string }) => {
  if (message.kind === 'stop') {
    await app.close();
    process.exit(0);
  }
});
