// The floor for idle memory (bench/memory.ts): Fastify and a pg pool, one route that asks the
// database something, started with plain `node` like the compiled server. JavaScript, not
// TypeScript, so no loader's memory is counted.
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify({ logger: false });
app.get('/ready', async () => {
  await pool.query('SELECT 1');
  return { status: 'ready' };
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening on ${address}\n`);
