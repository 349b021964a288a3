import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { hashApiToken } from '../src/auth/tokens.ts';
import { connectPostgres } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

/**
 * A throwaway database holding one large grant: LINES lines and SPEND entries, loaded with a
 * few multi-row INSERTs through pg (seconds, not the hours the API would take).
 */
export const LINES = 10_000;
export const SPEND = 100_000;

export interface BenchDatabase {
  readonly url: string;
  readonly grantId: string;
  readonly organisationId: string;
  readonly readerToken: string;
  /** An organisation admin's: the reports bench makes changes (a payment, a line's ref) to time the first forecast after each. */
  readonly adminToken: string;
  drop(): Promise<void>;
}

const SCHEME_ID = '6c9a1a2e-0000-4000-8000-000000000001';
/** The scheme's 2025-26 version (migration 0010): the grant follows it and its categories are that version's. */
const SCHEME_VERSION_ID = '6c9a1a2e-0000-4000-8000-000000002526';
const CATEGORIES = ['transformation', 'family_help_delivery', 'practice_workforce_ict', 'family_voice'] as const;

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fixed-seed generator, so every run loads the same ledger. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Pence as an exact decimal string: money never passes through a float, even here. */
const pounds = (pence: number) => `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `ringfence_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = databaseUrl(adminUrl, name);

  const handle = connectPostgres(url);
  try {
    await migrateToLatest(handle.db);
  } finally {
    await handle.close();
  }

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const readerToken = `rf_bench_${randomBytes(24).toString('base64url')}`;
  const adminToken = `rf_bench_${randomBytes(24).toString('base64url')}`;
  try {
    await client.query('BEGIN');
    const organisation = await client.query<{ id: string }>(`INSERT INTO organisations (name, code) VALUES ('Benchmark Borough Council', 'E08999999') RETURNING id`);
    const organisationId = organisation.rows[0]!.id;
    const user = await client.query<{ id: string }>(`INSERT INTO users (email, name) VALUES ('reader@bench.example', 'Bench reader') RETURNING id`);
    const userId = user.rows[0]!.id;
    await client.query(`INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, 'reader')`, [organisationId, userId]);
    // Tokens act in one organisation (migration 0012).
    await client.query(`INSERT INTO api_tokens (user_id, name, token_hash, organisation_id) VALUES ($1, 'bench', $2, $3)`, [userId, hashApiToken(readerToken), organisationId]);
    const admin = await client.query<{ id: string }>(`INSERT INTO users (email, name) VALUES ('admin@bench.example', 'Bench admin') RETURNING id`);
    await client.query(`INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, 'admin')`, [organisationId, admin.rows[0]!.id]);
    await client.query(`INSERT INTO api_tokens (user_id, name, token_hash, organisation_id) VALUES ($1, 'bench', $2, $3)`, [
      admin.rows[0]!.id,
      hashApiToken(adminToken),
      organisationId,
    ]);
    const grant = await client.query<{ id: string }>(
      `INSERT INTO grants (organisation_id, scheme_id, scheme_version_id, financial_year) VALUES ($1, $2, $3, '2025-26') RETURNING id`,
      [organisationId, SCHEME_ID, SCHEME_VERSION_ID],
    );
    const grantId = grant.rows[0]!.id;
    await client.query(
      `INSERT INTO grant_categories (organisation_id, grant_id, category_id, planned_share, max_share)
       SELECT $1, $2, id, planned_share, max_share FROM scheme_categories WHERE version_id = $3`,
      [organisationId, grantId, SCHEME_VERSION_ID],
    );
    // Large enough that every line fits its category's cap.
    await client.query(`INSERT INTO grant_tranches (organisation_id, grant_id, amount, description, status) VALUES ($1, $2, '900000000.00', 'Benchmark allocation', 'confirmed')`, [
      organisationId,
      grantId,
    ]);
    await loadLinesAndSpend(client, organisationId, grantId);
    await client.query('COMMIT');
    // As autovacuum leaves an append-only ledger at rest (PostgreSQL vacuums after inserts too):
    // statistics, and pages marked all-visible, so index-only scans read no table row.
    await client.query('VACUUM (ANALYZE)');
    return {
      url,
      grantId,
      organisationId,
      readerToken,
      adminToken,
      async drop() {
        const dropper = new pg.Client({ connectionString: adminUrl });
        await dropper.connect();
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await dropper.end();
      },
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * The per-row triggers (the deferred cap backstop re-sums a category for every row, O(n²) for a
 * bulk load; the version history; the lines' spend totals) are switched off for this one
 * transaction in a database of our own; the data is generated within the caps, and what the
 * triggers would have written (line history, spend totals) is written explicitly instead.
 */
async function loadLinesAndSpend(client: pg.Client, organisationId: string, grantId: string): Promise<void> {
  const random = seeded(42);
  await client.query('ALTER TABLE commitments DISABLE TRIGGER USER');
  await client.query('ALTER TABLE spend_entries DISABLE TRIGGER USER');

  const categoryIds = new Map(
    (await client.query<{ code: string; id: string }>(`SELECT code, id FROM scheme_categories WHERE version_id = $1`, [SCHEME_VERSION_ID])).rows.map((r) => [r.code, r.id]),
  );
  const refs: string[] = [];
  const titles: string[] = [];
  const categories: string[] = [];
  const amounts: (string | null)[] = [];
  for (let i = 1; i <= LINES; i++) {
    refs.push(String(i));
    titles.push(`Line ${i}: ${['Family Help navigator', 'Kinship support', 'Practice development', 'Voice and co-production'][i % 4]} for locality ${1 + (i % 37)}`);
    categories.push(categoryIds.get(CATEGORIES[i % 4]!)!);
    amounts.push(i % 97 === 0 ? null : pounds(100_000 + Math.floor(random() * 5_000_000)));
  }
  const lines = await client.query<{ id: string; amount: string | null }>(
    `INSERT INTO commitments (organisation_id, grant_id, category_id, ref, title, amount, status, committed_on)
     SELECT $1, $2, u.category_id, u.ref, u.title, u.amount, 'approved', DATE '2025-04-01' + (u.ref::int % 183)
     FROM unnest($3::uuid[], $4::text[], $5::text[], $6::numeric[]) AS u(category_id, ref, title, amount)
     RETURNING id, amount`,
    [organisationId, grantId, categories, refs, titles, amounts],
  );
  await client.query(
    `INSERT INTO commitment_versions (organisation_id, commitment_id, version, grant_id, category_id, ref, title, amount, status, committed_on, recorded_at)
     SELECT organisation_id, id, version, grant_id, category_id, ref, title, amount, status, committed_on, updated_at FROM commitments WHERE grant_id = $1`,
    [grantId],
  );

  // What each costed line can still take, in pence (tbc lines: no limit).
  const room: (number | undefined)[] = lines.rows.map((line) => (line.amount === null ? undefined : Number(line.amount.replace('.', ''))));
  const start = Date.UTC(2025, 3, 1);
  const days = 365;
  const batch = 25_000;
  for (let offset = 0; offset < SPEND; offset += batch) {
    const lineIds: string[] = [];
    const spendAmounts: string[] = [];
    const dates: string[] = [];
    const suppliers: string[] = [];
    const references: string[] = [];
    const individuals: boolean[] = [];
    for (let i = offset; i < Math.min(offset + batch, SPEND); i++) {
      let index = Math.floor(random() * lines.rows.length);
      const pence = 1_000 + Math.floor(random() * 150_000);
      // No line's spend passes its amount, as in a ledger kept within its lines (a summary
      // warns of each line that does): an entry that would go to the next line with room.
      while (pence > (room[index] ?? Infinity)) index = (index + 1) % lines.rows.length;
      const left = room[index];
      if (left !== undefined) room[index] = left - pence;
      lineIds.push(lines.rows[index]!.id);
      spendAmounts.push(pounds(pence));
      dates.push(new Date(start + Math.floor(random() * days) * 86_400_000).toISOString().slice(0, 10));
      suppliers.push(`Supplier ${1 + Math.floor(random() * 800)} Ltd`);
      references.push(`INV-${String(i + 1).padStart(7, '0')}`);
      individuals.push(random() < 0.02);
    }
    await client.query(
      `INSERT INTO spend_entries (organisation_id, grant_id, commitment_id, amount, spent_on, supplier, reference, paid_to_individual)
       SELECT $1, $2, u.line, u.amount, u.spent_on, u.supplier, u.reference, u.individual
       FROM unnest($3::uuid[], $4::numeric[], $5::date[], $6::text[], $7::text[], $8::boolean[]) AS u(line, amount, spent_on, supplier, reference, individual)`,
      [organisationId, grantId, lineIds, spendAmounts, dates, suppliers, references, individuals],
    );
  }
  // Each line's running spend total (migration 0009), which the spend trigger would have kept.
  await client.query(
    `UPDATE commitments c SET spent = s.total
     FROM (SELECT commitment_id, sum(amount) AS total FROM spend_entries WHERE grant_id = $1 GROUP BY commitment_id) s
     WHERE s.commitment_id = c.id`,
    [grantId],
  );
  // And the grant's (migration 0010), which the allocation check reads.
  await client.query(`UPDATE grants SET spent = (SELECT coalesce(sum(spent), 0) FROM commitments WHERE grant_id = $1) WHERE id = $1`, [grantId]);
  await client.query('ALTER TABLE commitments ENABLE TRIGGER USER');
  await client.query('ALTER TABLE spend_entries ENABLE TRIGGER USER');
}
