import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { hashApiToken } from '../../src/auth/tokens.ts';
import { addDays, financialYearBounds } from '../../src/shared/calendar.ts';
import { pounds } from '../lib/database.ts';
import { type GeneratedOrganisation, generateOrganisation } from './generate.ts';

export interface LoadedGrant {
  readonly id: string;
  readonly organisationId: string;
  readonly financialYear: string;
}

export interface LoadedLedger {
  /** A platform administrator's token, for reads across councils. */
  readonly token: string;
  /** Each council's own finance officer's token, by organisation id. */
  readonly officerTokens: ReadonlyMap<string, string>;
  readonly grants: readonly LoadedGrant[];
  readonly spendEntries: number;
  readonly lines: number;
}

/** COPY text format: tab-separated, \N for null; our generated text has no tabs or backslashes. */
const row = (...cells: (string | number | null)[]) => `${cells.map((c) => (c === null ? '\\N' : String(c))).join('\t')}\n`;

async function copy(client: pg.Client, statement: string, rows: Iterable<string>): Promise<void> {
  // Batch rows into larger chunks: one write per row would spend its time in stream overhead.
  function* batches() {
    let batch = '';
    for (const line of rows) {
      batch += line;
      if (batch.length > 256_000) {
        yield batch;
        batch = '';
      }
    }
    if (batch) yield batch;
  }
  await pipeline(Readable.from(batches()), client.query(copyFrom(statement)));
}

/**
 * Loads the given councils (by index) into a migrated, empty database through COPY. Triggers
 * are off for the load (session_replication_role = replica): the generator already keeps
 * every line within its cap and every spend within its line, and versions are written here in
 * one statement instead of one trigger call per row. No audit records are made for this data.
 */
export async function loadNational(url: string, organisationIndexes: readonly number[]): Promise<LoadedLedger> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET session_replication_role = replica`);
    const scheme = await client.query<{ id: string }>(`SELECT id FROM schemes WHERE code = 'csc-prevention'`);
    const schemeId = scheme.rows[0]!.id;
    // Each grant follows the scheme version in force for its year (its own, else the nearest
    // earlier one) and its lines take that version's categories.
    const versions = await client.query<{ id: string; financial_year: string }>(`SELECT id, financial_year FROM scheme_versions WHERE scheme_id = $1 ORDER BY financial_year`, [
      schemeId,
    ]);
    const versionFor = (financialYear: string) => versions.rows.filter((v) => v.financial_year <= financialYear).at(-1)!.id;
    const categories = await client.query<{ id: string; code: string; version_id: string }>(`SELECT id, code, version_id FROM scheme_categories WHERE scheme_id = $1`, [schemeId]);
    const categoryId = new Map(categories.rows.map((c) => [`${c.version_id}:${c.code}`, c.id]));

    const organisations: GeneratedOrganisation[] = organisationIndexes.map((index) => generateOrganisation(index));
    // A platform administrator reads across every council (the throughput run); each council
    // also has an officer of its own, as real councils do, for the per-council comparison:
    // one user in 150 councils would make every token check read 150 memberships.
    const token = `rf_bench_${randomBytes(24).toString('base64url')}`;
    const user = await client.query<{ id: string }>(`INSERT INTO users (email, name, is_platform_admin) VALUES ('national@bench.example', 'National reader', true) RETURNING id`);
    await client.query(`INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, 'bench', $2)`, [user.rows[0]!.id, hashApiToken(token)]);

    await copy(
      client,
      'COPY organisations (id, name, code) FROM STDIN',
      organisations.map((o) => row(o.id, o.name, o.code)),
    );
    const officerTokens = new Map<string, string>();
    for (const organisation of organisations) {
      const officerToken = `rf_bench_${randomBytes(24).toString('base64url')}`;
      const officer = await client.query<{ id: string }>(`INSERT INTO users (email, name) VALUES ($1, 'Finance officer') RETURNING id`, [
        `finance.${organisation.code.toLowerCase()}@bench.example`,
      ]);
      await client.query(`INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, 'finance')`, [organisation.id, officer.rows[0]!.id]);
      await client.query(`INSERT INTO api_tokens (user_id, name, token_hash, organisation_id) VALUES ($1, 'bench', $2, $3)`, [
        officer.rows[0]!.id,
        hashApiToken(officerToken),
        organisation.id,
      ]);
      officerTokens.set(organisation.id, officerToken);
    }
    const grants = organisations.flatMap((o) => o.grants.map((g) => ({ organisation: o, grant: g })));
    await copy(
      client,
      'COPY grants (id, organisation_id, scheme_id, scheme_version_id, financial_year) FROM STDIN',
      grants.map(({ organisation, grant }) => row(grant.id, organisation.id, schemeId, versionFor(grant.financialYear), grant.financialYear)),
    );
    await client.query(
      `INSERT INTO grant_categories (organisation_id, grant_id, category_id, planned_share, max_share)
       SELECT g.organisation_id, g.id, sc.id, sc.planned_share, sc.max_share FROM grants g JOIN scheme_categories sc ON sc.version_id = g.scheme_version_id`,
    );
    await copy(
      client,
      'COPY grant_tranches (organisation_id, grant_id, amount, description, status, created_at) FROM STDIN',
      grants.flatMap(({ organisation, grant }) =>
        grant.tranchesPence.map((pence, i) =>
          row(organisation.id, grant.id, pounds(pence), i === 0 ? 'Prevention Grant' : 'Transformation top-up', 'confirmed', financialYearBounds(grant.financialYear).firstDay),
        ),
      ),
    );
    let lines = 0;
    await copy(
      client,
      'COPY commitments (id, organisation_id, grant_id, category_id, ref, title, amount, status, committed_on, created_at, updated_at) FROM STDIN',
      (function* () {
        for (const { organisation, grant } of grants) {
          const created = `${grant.financialYear.slice(0, 4)}-05-01`;
          for (const line of grant.lines) {
            lines += 1;
            yield row(
              line.id,
              organisation.id,
              grant.id,
              categoryId.get(`${versionFor(grant.financialYear)}:${line.category}`)!,
              line.ref,
              line.title,
              line.amountPence === null ? null : pounds(line.amountPence),
              'approved',
              created,
              created,
              created,
            );
          }
        }
      })(),
    );
    await client.query(
      `INSERT INTO commitment_versions (organisation_id, commitment_id, version, grant_id, category_id, ref, title, amount, status, committed_on, recorded_at)
       SELECT organisation_id, id, version, grant_id, category_id, ref, title, amount, status, committed_on, updated_at FROM commitments`,
    );
    let spendEntries = 0;
    await copy(
      client,
      'COPY spend_entries (organisation_id, grant_id, commitment_id, amount, spent_on, reference, supplier, recorded_at) FROM STDIN',
      (function* () {
        for (const { organisation, grant } of grants) {
          for (const entry of grant.spend()) {
            spendEntries += 1;
            yield row(organisation.id, grant.id, entry.lineId, pounds(entry.amountPence), entry.spentOn, entry.reference, entry.supplier, addDays(entry.spentOn, 3));
          }
        }
      })(),
    );
    // With triggers off, the lines' spend totals are filled in here, once.
    await client.query(
      `UPDATE commitments c SET spent = s.total FROM (SELECT commitment_id, sum(amount) AS total FROM spend_entries GROUP BY commitment_id) s WHERE s.commitment_id = c.id`,
    );
    await client.query(`UPDATE grants g SET spent = s.total FROM (SELECT grant_id, sum(spent) AS total FROM commitments GROUP BY grant_id) s WHERE s.grant_id = g.id`);
    await client.query(`SET session_replication_role = DEFAULT`);
    await client.query('ANALYZE');
    // The triggers were off, so prove here what they would have: every line's spend total
    // matches its entries (one pass over them), and no capped category is over its cap.
    const drifted = await client.query<{ n: number }>(
      `SELECT count(*) AS n FROM commitments c LEFT JOIN (SELECT commitment_id, sum(amount) AS total FROM spend_entries GROUP BY commitment_id) s ON s.commitment_id = c.id WHERE c.spent <> coalesce(s.total, 0)`,
    );
    if (Number(drifted.rows[0]!.n) > 0) throw new Error(`${drifted.rows[0]!.n} lines' spend totals disagree with their entries`);
    const over = await client.query<{ n: number }>(`
      SELECT count(*) AS n FROM (
        SELECT trunc(gc.max_share * a.allocation, 2) AS cap, coalesce(e.exposure, 0) AS exposure
        FROM grant_categories gc
        JOIN (SELECT grant_id, sum(amount) AS allocation FROM grant_tranches GROUP BY grant_id) a ON a.grant_id = gc.grant_id
        LEFT JOIN (SELECT grant_id, category_id, sum(greatest(coalesce(amount, 0), spent)) AS exposure FROM commitments WHERE status <> 'withdrawn' GROUP BY grant_id, category_id) e
          ON e.grant_id = gc.grant_id AND e.category_id = gc.category_id
        WHERE gc.max_share IS NOT NULL
      ) checked WHERE exposure > cap`);
    if (Number(over.rows[0]!.n) > 0) throw new Error(`generated data breaks the cap in ${over.rows[0]!.n} categories`);
    return {
      token,
      officerTokens,
      grants: grants.map(({ organisation, grant }) => ({ id: grant.id, organisationId: organisation.id, financialYear: grant.financialYear })),
      spendEntries,
      lines,
    };
  } finally {
    await client.end();
  }
}
