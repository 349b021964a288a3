import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { buildApp } from '../src/app.ts';
import { hashApiToken } from '../src/auth/tokens.ts';
import { loadConfig } from '../src/config.ts';
import { connectPostgres } from '../src/db/connect.ts';
import { createMigratedDatabase, withClient } from './lib/database.ts';
import { type Figure, figure, printFigures, saveFigures } from './lib/results.ts';

/**
 * Regions (issue 19): a region's overview of its 15 sharing councils and the national body's
 * overview of all 150, on a database holding every council's grants for three years. Each
 * answer reads one headline row per grant (src/regions/headline.ts) rather than every entry;
 * target 300 ms each. The first overview of a day recomputes every grant's headline (the
 * forecast is made on the day), so that cold read is reported beside them, not judged.
 *
 * The data set is built in a few set-based statements (INSERT … SELECT over generate_series,
 * triggers on, so every total is the database's own): 150 councils in 10 regions, each with a
 * grant a year for three years, 40 lines a grant and four payments a line, 24 posts and 6
 * workstreams a council.
 */
const COUNCILS = Number(process.env.BENCH_COUNCILS ?? 150);
const REGIONS = 10;
const YEARS = ['2025-26', '2026-27', '2027-28'];
const LINES_PER_GRANT = 40;
const RUNS = 30;
const TARGET_MS = 300;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function build(url: string): Promise<{ regionId: string; nationalId: string; tokens: { region: string; national: string }; seconds: number }> {
  const started = performance.now();
  const tokens = { region: `rf_bench_${randomBytes(24).toString('base64url')}`, national: `rf_bench_${randomBytes(24).toString('base64url')}` };
  const ids = await withClient(url, async (client: pg.Client) => {
    const q = (text: string, values: unknown[] = []) => client.query(text, values);
    await q(`INSERT INTO organisations (name, code, kind) SELECT 'Council ' || i, 'E06' || lpad(i::text, 6, '0'), 'council' FROM generate_series(1, $1) i`, [COUNCILS]);
    await q(`INSERT INTO organisations (name, code, kind) SELECT 'Region ' || r, 'E12' || lpad(r::text, 6, '0'), 'region' FROM generate_series(1, $1) r`, [REGIONS]);
    const national = await q(`INSERT INTO organisations (name, code, kind) VALUES ('National body', 'E92000001', 'national') RETURNING id`);
    const nationalId = national.rows[0].id as string;
    // Council i belongs to region (i mod 10) + 1: fifteen councils a region.
    await q(
      `
      INSERT INTO organisation_shares (organisation_id, with_organisation_id)
      SELECT c.id, r.id FROM organisations c
      JOIN organisations r ON r.kind = 'region' AND r.code = 'E12' || lpad(((substr(c.code, 4)::int % ${REGIONS}) + 1)::text, 6, '0')
      WHERE c.kind = 'council'
      UNION ALL
      SELECT c.id, $1::uuid FROM organisations c WHERE c.kind = 'council'`,
      [nationalId],
    );
    const region = await q(`SELECT id FROM organisations WHERE code = 'E12' || lpad('1', 6, '0')`);
    const regionId = region.rows[0].id as string;
    // A reader of each body, with a token scoped to it, as a real member's would be.
    for (const [organisationId, memberToken] of [
      [regionId, tokens.region],
      [nationalId, tokens.national],
    ] as const) {
      const user = await q(`INSERT INTO users (email, name) VALUES ($1, 'Reader') RETURNING id`, [`reader.${organisationId}@bench.example`]);
      await q(`INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, 'reader')`, [organisationId, user.rows[0].id]);
      await q(`INSERT INTO api_tokens (user_id, name, token_hash, organisation_id) VALUES ($1, 'bench', $2, $3)`, [user.rows[0].id, hashApiToken(memberToken), organisationId]);
    }

    await q(
      `
      INSERT INTO grants (organisation_id, scheme_id, scheme_version_id, financial_year)
      SELECT o.id, s.id, (SELECT v.id FROM scheme_versions v WHERE v.scheme_id = s.id AND v.financial_year <= y ORDER BY v.financial_year DESC LIMIT 1), y
      FROM organisations o CROSS JOIN schemes s CROSS JOIN unnest($1::text[]) y
      WHERE o.kind = 'council' AND s.code = 'csc-prevention'`,
      [YEARS],
    );
    await q(`
      INSERT INTO grant_categories (organisation_id, grant_id, category_id, planned_share, max_share)
      SELECT g.organisation_id, g.id, sc.id, sc.planned_share, sc.max_share FROM grants g JOIN scheme_categories sc ON sc.version_id = g.scheme_version_id`);
    // Allocations from £1.2m to £2.7m, varying by council.
    await q(`
      INSERT INTO grant_tranches (organisation_id, grant_id, amount, description, status)
      SELECT g.organisation_id, g.id, 1200000 + (abs(hashtext(g.id::text)) % 1500000), 'Prevention Grant', 'confirmed' FROM grants g`);
    // Lines in the uncapped categories, committed through the year; together under half the allocation.
    await q(`
      INSERT INTO commitments (organisation_id, grant_id, category_id, ref, title, amount, status, committed_on)
      SELECT g.organisation_id, g.id, gc.category_id, n::text, 'Line ' || n,
             round((t.amount * 0.45 / ${LINES_PER_GRANT}) * (0.5 + (abs(hashtext(g.id::text || n)) % 100) / 100.0), 2),
             'approved', (left(g.financial_year, 4) || '-04-01')::date + ((n * 7) % 300)
      FROM grants g
      JOIN grant_tranches t ON t.grant_id = g.id
      CROSS JOIN generate_series(1, ${LINES_PER_GRANT}) n
      JOIN LATERAL (SELECT c.category_id FROM grant_categories c WHERE c.grant_id = g.id AND c.max_share IS NULL ORDER BY c.category_id OFFSET n % 3 LIMIT 1) gc ON true`);
    // Four payments a line, a quarter of its amount each, in the year's first months.
    await q(`
      INSERT INTO spend_entries (organisation_id, grant_id, commitment_id, amount, spent_on, description)
      SELECT c.organisation_id, c.grant_id, c.id, round(c.amount / 4, 2) - 0.01, (left(g.financial_year, 4) || '-04-15')::date + 30 * k, 'Payment'
      FROM commitments c JOIN grants g ON g.id = c.grant_id CROSS JOIN generate_series(0, 3) k`);
    await q(`
      INSERT INTO posts (organisation_id, title, headcount, fte, annual_cost, status)
      SELECT o.id, 'Post ' || n, 1 + n % 3, 1, 40000, (ARRAY['planned', 'recruiting', 'in_post', 'in_post', 'ended'])[1 + n % 5]
      FROM organisations o CROSS JOIN generate_series(1, 24) n WHERE o.kind = 'council'`);
    await q(`
      INSERT INTO workstreams (organisation_id, name, objectives, status, rag, rag_date)
      SELECT o.id, 'Workstream ' || n, 'Objectives', 'active', (ARRAY['red', 'amber', 'green'])[1 + (abs(hashtext(o.id::text)) + n) % 3], '2025-06-01'
      FROM organisations o CROSS JOIN generate_series(1, 6) n WHERE o.kind = 'council'`);
    await q('ANALYZE');
    const counts = await q(`SELECT (SELECT count(*) FROM grants) AS grants, (SELECT count(*) FROM commitments) AS lines, (SELECT count(*) FROM spend_entries) AS entries`);
    process.stdout.write(`Built ${COUNCILS} councils, ${counts.rows[0].grants} grants, ${counts.rows[0].lines} lines, ${counts.rows[0].entries} spend entries`);
    return { regionId, nationalId };
  });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(` in ${seconds.toFixed(0)} s\n`);
  return { ...ids, tokens, seconds };
}

export async function runRegionBenchmarks(): Promise<Figure[]> {
  const database = await createMigratedDatabase('regions');
  try {
    const { regionId, nationalId, tokens } = await build(database.url);
    const handle = connectPostgres(database.url, { poolSize: 4 });
    // The app's day is inside the first year, so the forecast runs on a live year.
    const app = await buildApp({
      config: loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' }),
      database: handle,
      clock: { now: () => new Date('2025-11-15T12:00:00Z') },
    });
    try {
      const get = async (path: string, token: string) => {
        const started = performance.now();
        const response = await app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${token}` } });
        const elapsed = performance.now() - started;
        if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body.slice(0, 300)}`);
        return { elapsed, items: (response.json() as { items: unknown[] }).items.length };
      };
      const regionPath = `/api/v1/organisations/${regionId}/overview?financialYear=2025-26`;
      const nationalPath = `/api/v1/organisations/${nationalId}/overview?financialYear=2025-26`;
      const cold = await get(nationalPath, tokens.national);
      process.stdout.write(`First national overview of the day (computes ${cold.items} headlines): ${cold.elapsed.toFixed(0)} ms\n`);
      const times = { region: [] as number[], national: [] as number[] };
      let sizes = { region: 0, national: 0 };
      for (let run = -3; run < RUNS; run++) {
        const region = await get(regionPath, tokens.region);
        const national = await get(nationalPath, tokens.national);
        sizes = { region: region.items, national: national.items };
        if (run >= 0) {
          times.region.push(region.elapsed);
          times.national.push(national.elapsed);
        }
      }
      return [
        figure({
          section: 'regions',
          name: `region overview, ${sizes.region} sharing councils`,
          value: median(times.region),
          unit: 'ms',
          baselineName: 'target',
          baseline: TARGET_MS,
          target: '≤ 1',
        }),
        figure({
          section: 'regions',
          name: `national overview, ${sizes.national} sharing councils`,
          value: median(times.national),
          unit: 'ms',
          baselineName: 'target',
          baseline: TARGET_MS,
          target: '≤ 1',
        }),
        figure({
          section: 'regions',
          name: `first national overview of a day (${cold.items} headlines computed)`,
          value: cold.elapsed,
          unit: 'ms',
          baselineName: 'target',
          baseline: TARGET_MS,
          target: '',
          note: 'The forecast in each headline is made on the day, so the first read of a day recomputes every stale row; informative only.',
        }),
      ];
    } finally {
      await app.close();
      await handle.close();
    }
  } finally {
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await runRegionBenchmarks();
  printFigures(figures);
  process.stdout.write(`\nSaved ${saveFigures('regions', figures)}\n`);
}
