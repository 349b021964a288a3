import Fastify from 'fastify';
import pg from 'pg';
import type { SentStatement } from './lib/summary-statements.ts';

/**
 * The floor for read throughput: the statements one summary sends (recorded from the app by
 * bench/lib/summary-statements.ts), replayed through bare pg for whichever grant is asked, in
 * the same waves (statements the app sends together go together), and the rows returned as
 * JSON. No validation, no access check beyond the SQL, no mapping: what any implementation
 * must ask PostgreSQL, at the same concurrency and through the same pool size.
 */
if (!process.send) throw new Error('bench/bare-summary-server.ts is started by a benchmark');
const statements = JSON.parse(process.env.BARE_STATEMENTS ?? '[]') as SentStatement[];
/** Parameters standing for the recorded grant and its organisation, swapped for the asked one's. */
const recordedGrant = process.env.BARE_RECORDED_GRANT!;
const recordedOrganisation = process.env.BARE_RECORDED_ORGANISATION!;
const organisationOf = new Map(Object.entries(JSON.parse(process.env.BARE_GRANT_ORGANISATIONS ?? '{}') as Record<string, string>));
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 20) });
const waves = [...new Set(statements.map((s) => s.wave))].map((wave) => statements.filter((s) => s.wave === wave));

const app = Fastify({ logger: false });
app.get<{ Params: { grantId: string } }>('/summary/:grantId', async (request) => {
  const grantId = request.params.grantId;
  const organisationId = organisationOf.get(grantId)!;
  const swap = (value: unknown) => (value === recordedGrant ? grantId : value === recordedOrganisation ? organisationId : value);
  const rows: unknown[] = [];
  for (const wave of waves) {
    const results = await Promise.all(wave.map((statement) => pool.query(statement.sql, statement.parameters.map(swap) as unknown[])));
    rows.push(...results.map((result) => result.rows));
  }
  return rows;
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.send({ kind: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
process.on('message', async (message: { kind: string }) => {
  if (message.kind === 'stop') {
    await app.close();
    await pool.end();
    process.exit(0);
  }
});
