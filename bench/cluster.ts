import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import pg from 'pg';
import { type Figure, figure, printFigures, saveFigures } from './lib/results.ts';
import { withBareSummaries } from './lib/summary-statements.ts';

/**
 * `npm run bench -- cluster`: the cluster of `npm run cluster` (docs/cluster.md), brought up if
 * it is not. Commitments and summaries per second on one instance against two behind nginx;
 * the replica's replay lag while the writes run; and one instance's summaries against the same
 * statements sent through bare pg (bench/bare-summary-server.ts) at the same concurrency.
 */
const ROOT = new URL('../', import.meta.url);
const BALANCER = 'http://127.0.0.1:3100';
const ONE_INSTANCE = 'http://127.0.0.1:3101';
const POOLED_URL = 'postgres://ringfence_app@127.0.0.1:5443/ringfence';
const PRIMARY_ADMIN_URL = 'postgres://postgres@127.0.0.1:5441/postgres';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 20;
const COUNCILS = 5;
const YEARS = ['2025-26', '2026-27', '2027-28', '2028-29'];
const LINES_PER_GRANT = 40;

async function api(token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${BALANCER}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const parsed = (await response.json()) as { id: string };
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

async function seed(token: string): Promise<{ grantId: string; organisationId: string }[]> {
  const grants: { grantId: string; organisationId: string }[] = [];
  for (let c = 0; c < COUNCILS; c++) {
    const code = `E${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const organisation = await api(token, 'POST', '/api/v1/organisations', { name: `Bench Council ${code}`, code, emailDomains: ['bench.gov.uk'] });
    for (const financialYear of YEARS) {
      const grant = await api(token, 'POST', `/api/v1/organisations/${organisation.id}/grants`, {
        scheme: 'csc-prevention',
        financialYear,
        tranches: [{ amount: '5000000.00', description: 'Prevention Grant', status: 'confirmed' }],
      });
      grants.push({ grantId: grant.id, organisationId: organisation.id });
    }
  }
  // One line per grant at a time, each grant's lines one after another, as officers would.
  for (let i = 0; i < LINES_PER_GRANT; i++) {
    await Promise.all(
      grants.map(({ grantId }) =>
        api(token, 'POST', `/api/v1/grants/${grantId}/commitments`, {
          title: `Seeded line ${i}`,
          category: i % 5 ? 'family_help_delivery' : 'transformation',
          amount: `${1000 + i}.00`,
        }),
      ),
    );
  }
  return grants;
}

/** Answers per second that succeeded; a 503 (a lock or connection not had in 5 s) counts against it and is reported. */
async function rate(base: string, token: string, request: (i: number) => { method: 'GET' | 'POST'; path: string; body?: string }): Promise<number> {
  let i = 0;
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (req) => {
          const next = request(i++);
          return {
            ...req,
            method: next.method,
            path: next.path,
            body: next.body,
            headers: { authorization: `Bearer ${token}`, ...(next.body ? { 'content-type': 'application/json' } : {}) },
          };
        },
      },
    ],
  });
  if (result.errors || result['4xx'] || result['5xx'] > result['2xx'] / 100) throw new Error(`${base}: ${result['4xx']} 4xx, ${result['5xx']} 5xx, ${result.errors} errors`);
  if (result['5xx']) process.stdout.write(`${base}: ${result['5xx']} of ${result['2xx'] + result['5xx']} answered 503\n`);
  return result['2xx'] / (result.duration || SECONDS);
}

/** The primary's own measure of how far behind the replica replays, sampled while `work` runs. */
async function replayLagDuring<T>(work: () => Promise<T>): Promise<{ result: T; lagsMs: number[] }> {
  const client = new pg.Client({ connectionString: PRIMARY_ADMIN_URL });
  await client.connect();
  const lagsMs: number[] = [];
  let running = true;
  const sampling = (async () => {
    while (running) {
      const { rows } = await client.query<{ ms: number | null }>(`SELECT (extract(epoch FROM replay_lag) * 1000)::float8 AS ms FROM pg_stat_replication`);
      lagsMs.push(rows[0]?.ms ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  try {
    return { result: await work(), lagsMs };
  } finally {
    running = false;
    await sampling;
    await client.end();
  }
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;

export async function runClusterBenchmarks(): Promise<Figure[]> {
  execFileSync('bash', [new URL('scripts/cluster.sh', ROOT).pathname, 'up'], { stdio: 'inherit' });
  const token = readFileSync(new URL('.cluster/admin-token', ROOT), 'utf8').trim();
  const started = performance.now();
  const grants = await seed(token);
  process.stdout.write(`Seeded ${grants.length} grants × ${LINES_PER_GRANT} lines in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  const pick = (i: number) => grants[(i * 7919) % grants.length]!.grantId;
  const summary = (i: number) => ({ method: 'GET' as const, path: `/api/v1/grants/${pick(i)}/summary` });
  const commitment = (i: number) => ({
    method: 'POST' as const,
    path: `/api/v1/grants/${pick(i)}/commitments`,
    body: JSON.stringify({ title: `Bench ${i}`, category: 'family_help_delivery', amount: '1.00' }),
  });

  const summariesOne = await rate(ONE_INSTANCE, token, summary);
  const summariesTwo = await rate(BALANCER, token, summary);
  const writesOne = await replayLagDuring(() => rate(ONE_INSTANCE, token, commitment));
  const writesTwo = await replayLagDuring(() => rate(BALANCER, token, commitment));
  const lags = [...writesOne.lagsMs, ...writesTwo.lagsMs];

  // The same statements through bare pg: recorded from one summary on an app in this process.
  const { bareRate, shape } = await withBareSummaries(POOLED_URL, grants, token, async (port, path, measuredShape) => ({
    bareRate: await rate(`http://127.0.0.1:${port}`, token, (i) => ({ method: 'GET', path: path(pick(i)) })),
    shape: measuredShape,
  }));
  const statements = { length: shape.statements };
  const waves = shape.roundTrips;
  process.stdout.write(`A summary sends ${statements.length} statements in ${waves} round trips one after another\n`);

  return [
    figure({
      section: 'cluster',
      name: `summaries, ${CONNECTIONS} clients, two instances behind nginx`,
      value: summariesTwo,
      unit: 'req/s',
      baselineName: 'one instance',
      baseline: summariesOne,
      target: '',
    }),
    figure({
      section: 'cluster',
      name: `commitments, ${CONNECTIONS} clients, two instances behind nginx`,
      value: writesTwo.result,
      unit: 'req/s',
      baselineName: 'one instance',
      baseline: writesOne.result,
      target: '',
    }),
    figure({
      section: 'cluster',
      name: `summaries, ${CONNECTIONS} clients, one instance (${statements.length} statements, ${waves} round trips)`,
      value: summariesOne,
      unit: 'req/s',
      baselineName: 'the same statements, bare pg',
      baseline: bareRate,
      target: '≥ 0.5',
    }),
    figure({
      section: 'cluster',
      name: `replica replay lag under the write load, 95th percentile (${lags.length} samples)`,
      value: percentile(lags, 0.95),
      unit: 'ms',
      baselineName: 'the lag bound (DATABASE_READ_MAX_LAG_SECONDS)',
      baseline: 2000,
      target: '≤ 1',
      note: `max ${Math.max(...lags).toFixed(0)} ms, median ${percentile(lags, 0.5).toFixed(0)} ms`,
    }),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await runClusterBenchmarks();
  printFigures(figures);
  process.stdout.write(`\nSaved ${saveFigures('cluster', figures)}\n`);
}
