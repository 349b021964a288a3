import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { hashRecord } from '../src/audit/chain.ts';
import { hashApiToken } from '../src/auth/tokens.ts';
import { createMigratedDatabase, type ScratchDatabase, withClient } from './lib/database.ts';
import { type Figure, figure, printFigures, saveFigures } from './lib/results.ts';
import { startServerProcess } from './lib/server-process.ts';

/**
 * Commitments created per second by 20 concurrent clients — over HTTP through the whole app
 * (auth, validation, grant lock, cap check, audit chain, idempotency key), against the same
 * transactions sent straight through pg by 20 connections, in the same run. Once on one grant
 * (every write queues on its lock) and once on 20 grants of 20 councils (no shared lock).
 */
const CLIENTS = 20;
const REQUESTS = Number(process.env.BENCH_WRITES ?? 3000);
const WARM_UP = 300;

interface Target {
  readonly organisationId: string;
  readonly grantId: string;
  readonly categoryId: string;
}

interface Ledger {
  readonly database: ScratchDatabase;
  readonly token: string;
  readonly userId: string;
  readonly targets: readonly Target[];
}

async function buildLedger(label: string, grants: number): Promise<Ledger> {
  const database = await createMigratedDatabase(label);
  const token = `rf_bench_${randomBytes(24).toString('base64url')}`;
  return withClient(database.url, async (client) => {
    // One writer across every council's grant: a platform administrator, as a token acts in one organisation otherwise.
    const user = await client.query<{ id: string }>(`INSERT INTO users (email, name, is_platform_admin) VALUES ('writer@bench.example', 'Bench writer', true) RETURNING id`);
    const userId = user.rows[0]!.id;
    await client.query(`INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, 'bench', $2)`, [userId, hashApiToken(token)]);
    const targets: Target[] = [];
    for (let i = 0; i < grants; i++) {
      const code = `E0${String(7000000 + i)}`;
      const organisation = await client.query<{ id: string }>(`INSERT INTO organisations (name, code) VALUES ($1, $2) RETURNING id`, [`Bench council ${i}`, code]);
      const organisationId = organisation.rows[0]!.id;
      await client.query(`INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, 'finance')`, [organisationId, userId]);
      const grant = await client.query<{ id: string }>(
        `INSERT INTO grants (organisation_id, scheme_id, scheme_version_id, financial_year)
         SELECT $1, v.scheme_id, v.id, v.financial_year FROM scheme_versions v JOIN schemes s ON s.id = v.scheme_id
         WHERE s.code = 'csc-prevention' AND v.financial_year = '2025-26' RETURNING id`,
        [organisationId],
      );
      const grantId = grant.rows[0]!.id;
      await client.query(
        `INSERT INTO grant_categories (organisation_id, grant_id, category_id, planned_share, max_share)
         SELECT $1, $2, sc.id, sc.planned_share, sc.max_share FROM scheme_categories sc JOIN grants g ON g.scheme_version_id = sc.version_id WHERE g.id = $2`,
        [organisationId, grantId],
      );
      // Large enough that the cap is checked on every write but never refuses one.
      await client.query(`INSERT INTO grant_tranches (organisation_id, grant_id, amount, description, status) VALUES ($1, $2, 900000000000, 'Bench', 'confirmed')`, [
        organisationId,
        grantId,
      ]);
      const category = await client.query<{ id: string }>(
        `SELECT sc.id FROM scheme_categories sc JOIN grants g ON g.scheme_version_id = sc.version_id WHERE g.id = $1 AND sc.code = 'transformation'`,
        [grantId],
      );
      targets.push({ organisationId, grantId, categoryId: category.rows[0]!.id });
    }
    return { database, token, userId, targets };
  });
}

async function overHttp(ledger: Ledger, port: number, requests: number, prefix: string): Promise<number> {
  let counter = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CLIENTS,
    amount: requests,
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context: { target?: Target }) => {
          // Each connection keeps to one target: with 20 targets, one per client.
          context.target ??= ledger.targets[counter % ledger.targets.length]!;
          counter += 1;
          return {
            ...request,
            path: `/api/v1/grants/${context.target.grantId}/commitments`,
            headers: {
              authorization: `Bearer ${ledger.token}`,
              'content-type': 'application/json',
              'idempotency-key': `${prefix}-${counter}`,
            },
            body: JSON.stringify({ title: `${prefix} line ${counter}`, category: 'transformation', amount: '1.00' }),
          };
        },
      },
    ],
  });
  const failed = result.non2xx + result.errors;
  if (failed) throw new Error(`${failed} of ${requests} HTTP writes failed`);
  return result.requests.total / (result.duration || 1);
}

/** The write path of POST /commitments with an Idempotency-Key, as SQL. */
async function oneTransaction(client: pg.Client, ledger: Ledger, target: Target, key: string): Promise<void> {
  const { organisationId, grantId, categoryId } = target;
  await client.query(
    `INSERT INTO idempotency_keys (organisation_id, key, request_hash, state) VALUES ($1, $2, $3, 'in_flight')
     ON CONFLICT (organisation_id, key) DO UPDATE SET state = 'in_flight' WHERE idempotency_keys.created_at < now() - interval '24 hours'`,
    [organisationId, key, 'hash'],
  );
  await client.query('BEGIN');
  try {
    await client.query(`SELECT request_hash, state FROM idempotency_keys WHERE organisation_id = $1 AND key = $2 FOR UPDATE NOWAIT`, [organisationId, key]);
    await client.query(`SELECT id, organisation_id, financial_year FROM grants WHERE id = $1 AND organisation_id = $2 FOR UPDATE`, [grantId, organisationId]);
    await client.query(
      `SELECT gc.category_id, sc.code, gc.max_share FROM grant_categories gc JOIN scheme_categories sc ON sc.id = gc.category_id WHERE gc.grant_id = $1 AND sc.code = 'transformation'`,
      [grantId],
    );
    const next = await client.query<{ next: string }>(`SELECT coalesce(max(ref::bigint), 0) + 1 AS next FROM commitments WHERE grant_id = $1 AND ref ~ '^[0-9]{1,9}$'`, [grantId]);
    const ref = String(next.rows[0]!.next);
    await client.query(`SELECT id FROM commitments WHERE grant_id = $1 AND ref = $2`, [grantId, ref]);
    await client.query(`SELECT coalesce(sum(amount), 0) FROM grant_tranches WHERE grant_id = $1`, [grantId]);
    await client.query(
      `SELECT coalesce(sum(greatest(coalesce(c.amount, 0), c.spent)), 0) FROM commitments c
       WHERE c.grant_id = $1 AND c.category_id = $2 AND c.status <> 'withdrawn'`,
      [grantId, categoryId],
    );
    const line = await client.query<{ id: string }>(
      `INSERT INTO commitments (organisation_id, grant_id, category_id, ref, title, amount, status, committed_on, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, 1.00, 'proposed', DATE '2026-03-31', $6, $6) RETURNING id`,
      [organisationId, grantId, categoryId, ref, `pg line ${key}`, ledger.userId],
    );
    const id = line.rows[0]!.id;
    await client.query(
      `SELECT c.*, g.financial_year, sc.code FROM commitments c JOIN grants g ON g.id = c.grant_id JOIN scheme_categories sc ON sc.id = c.category_id WHERE c.id = $1`,
      [id],
    );
    await client.query(`INSERT INTO audit_chain_heads (chain_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (chain_id) DO NOTHING`, [organisationId, '0'.repeat(64)]);
    const head = await client.query<{ seq: string; hash: string; now: Date }>(`SELECT seq::text AS seq, hash, now() AS now FROM audit_chain_heads WHERE chain_id = $1 FOR UPDATE`, [
      organisationId,
    ]);
    const seq = (BigInt(head.rows[0]!.seq) + 1n).toString();
    const at = new Date(head.rows[0]!.now).toISOString();
    const after = { ref, title: `pg line ${key}`, amount: '1.00', category: 'transformation', status: 'proposed' };
    const hash = hashRecord({
      chainId: organisationId,
      seq,
      organisationId,
      at,
      actorId: ledger.userId,
      action: 'create',
      entity: 'commitment',
      entityId: id,
      before: null,
      after,
      requestId: key,
      prevHash: head.rows[0]!.hash,
    });
    await client.query(
      `INSERT INTO audit_records (chain_id, seq, organisation_id, at, actor_id, action, entity, entity_id, before, after, request_id, prev_hash, hash)
       VALUES ($1, $2, $1, $3, $4, 'create', 'commitment', $5, NULL, $6, $7, $8, $9)`,
      [organisationId, seq, at, ledger.userId, id, JSON.stringify(after), key, head.rows[0]!.hash, hash],
    );
    await client.query(`UPDATE audit_chain_heads SET seq = $2, hash = $3 WHERE chain_id = $1`, [organisationId, seq, hash]);
    await client.query(`UPDATE idempotency_keys SET state = 'done', response_status = 201, response_body = $3 WHERE organisation_id = $1 AND key = $2`, [
      organisationId,
      key,
      JSON.stringify({ id }),
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

async function overPg(ledger: Ledger, requests: number, prefix: string): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const client = new pg.Client({ connectionString: ledger.database.url });
      await client.connect();
      return client;
    }),
  );
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, index) => {
      const target = ledger.targets[index % ledger.targets.length]!;
      while (issued < requests) {
        issued += 1;
        await oneTransaction(client, ledger, target, `${prefix}-${issued}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((client) => client.end()));
  return requests / seconds;
}

async function scenario(label: string, grants: number): Promise<Figure> {
  const ledger = await buildLedger(label, grants);
  const server = await startServerProcess(new URL('./server.ts', import.meta.url), { DATABASE_URL: ledger.database.url, DATABASE_POOL_SIZE: String(CLIENTS) });
  try {
    await overHttp(ledger, server.port, WARM_UP, 'warm-http');
    await overPg(ledger, WARM_UP, 'warm-pg');
    // Alternate the two so neither always runs on the warmer or fuller database.
    const http1 = await overHttp(ledger, server.port, REQUESTS / 2, 'http-a');
    const pg1 = await overPg(ledger, REQUESTS / 2, 'pg-a');
    const pg2 = await overPg(ledger, REQUESTS / 2, 'pg-b');
    const http2 = await overHttp(ledger, server.port, REQUESTS / 2, 'http-b');
    return figure({
      section: 'writes',
      name: `commitments/s, ${CLIENTS} clients on ${grants === 1 ? 'one grant' : `${grants} grants`}`,
      value: (http1 + http2) / 2,
      unit: 'req/s',
      baselineName: 'same transactions via pg',
      baseline: (pg1 + pg2) / 2,
      target: '≥ 0.5',
    });
  } finally {
    await server.stop();
    await ledger.database.drop();
  }
}

export async function runWriteBenchmarks(): Promise<Figure[]> {
  return [await scenario('writes_one', 1), await scenario('writes_many', CLIENTS)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await runWriteBenchmarks();
  printFigures(figures);
  process.stdout.write(`\nSaved ${saveFigures('writes', figures)}\n`);
}
