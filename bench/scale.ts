import autocannon from 'autocannon';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { connectPostgres } from '../src/db/connect.ts';
import { createMigratedDatabase } from './lib/database.ts';
import { type Figure, figure, printFigures, saveFigures } from './lib/results.ts';
import { startServerProcess } from './lib/server-process.ts';
import { withBareSummaries } from './lib/summary-statements.ts';
import { NATIONAL } from './national/generate.ts';
import { type LoadedLedger, loadNational } from './national/load.ts';

/**
 * National scale: one council's reports on a database of every council, against the same
 * council alone; and read throughput across random councils against a bare Fastify route.
 */
const COUNCILS = Number(process.env.BENCH_COUNCILS ?? NATIONAL.organisations);
const FOCUS = Math.floor(COUNCILS / 2);
const RUNS = 30;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timeRequests(urls: readonly string[], apps: { name: string; inject: (url: string) => Promise<void> }[]) {
  const times = new Map<string, number[]>();
  for (let run = -5; run < RUNS; run++) {
    // Alternate databases so background noise falls on both alike; the first runs warm up.
    for (const app of run % 2 ? apps : [...apps].reverse()) {
      for (const url of urls) {
        const started = performance.now();
        await app.inject(url);
        const elapsed = performance.now() - started;
        if (run >= 0) times.set(`${app.name} ${url}`, [...(times.get(`${app.name} ${url}`) ?? []), elapsed]);
      }
    }
  }
  return (name: string, url: string) => median(times.get(`${name} ${url}`)!);
}

async function inProcessApp(url: string, token: string) {
  const database = connectPostgres(url, { poolSize: 4 });
  const app = await buildApp({ config: loadConfig({ DATABASE_URL: url }), database });
  return {
    inject: async (path: string) => {
      const response = await app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${token}` } });
      if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body.slice(0, 200)}`);
    },
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

async function readThroughput(port: number, path: (i: number) => string, token: string): Promise<number> {
  let i = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 20,
    duration: Number(process.env.BENCH_SECONDS ?? 10),
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: path(i++), headers: { authorization: `Bearer ${token}` } }) }],
  });
  if (result.non2xx || result.errors) throw new Error(`${result.non2xx + result.errors} failed reads`);
  return result.requests.average;
}

export async function runScaleBenchmarks(): Promise<Figure[]> {
  const national = await createMigratedDatabase('national');
  const single = await createMigratedDatabase('single');
  try {
    const started = performance.now();
    const loaded: LoadedLedger = await loadNational(
      national.url,
      Array.from({ length: COUNCILS }, (_, i) => i),
    );
    const loadSeconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `National data set: ${COUNCILS} councils, ${loaded.grants.length} grants, ${loaded.lines} lines, ${loaded.spendEntries} spend entries, loaded in ${loadSeconds.toFixed(0)} s\n`,
    );
    const alone = await loadNational(single.url, [FOCUS]);
    const grant = alone.grants.find((g) => g.financialYear === '2025-26')!;

    // The council's own officer in both databases: the same request by the same kind of user.
    const nationalApp = await inProcessApp(national.url, loaded.officerTokens.get(grant.organisationId)!);
    const singleApp = await inProcessApp(single.url, alone.officerTokens.get(grant.organisationId)!);
    const reports = {
      summary: `/api/v1/grants/${grant.id}/summary`,
      'committee table': `/api/v1/grants/${grant.id}/reports/cabinet-table?format=json`,
      'DfE return': `/api/v1/grants/${grant.id}/reports/dfe-return?quarter=Q3&format=json`,
    };
    const timing = await timeRequests(Object.values(reports), [
      { name: 'national', inject: nationalApp.inject },
      { name: 'single', inject: singleApp.inject },
    ]);
    await nationalApp.close();
    await singleApp.close();
    const figures: Figure[] = Object.entries(reports).map(([name, url]) =>
      figure({
        section: 'scale',
        name: `${name}, one grant among ${COUNCILS} councils`,
        value: timing('national', url),
        unit: 'ms',
        baselineName: 'same grant alone',
        baseline: timing('single', url),
        target: '≤ 1.2',
      }),
    );

    const server = await startServerProcess(new URL('./server.ts', import.meta.url), { DATABASE_URL: national.url, DATABASE_POOL_SIZE: '20' });
    let summaryBytes = 2000;
    let appRate: number;
    try {
      const sample = await fetch(`http://127.0.0.1:${server.port}${reports.summary}`, { headers: { authorization: `Bearer ${loaded.token}` } });
      summaryBytes = (await sample.text()).length;
      const grants = loaded.grants;
      appRate = await readThroughput(server.port, (i) => `/api/v1/grants/${grants[(i * 7919) % grants.length]!.id}/summary`, loaded.token);
    } finally {
      await server.stop();
    }
    // The baseline asks PostgreSQL what a summary asks (bench/lib/summary-statements.ts), not
    // nothing at all: against a route that touches no database any read scored 0.01–0.02×.
    const grantsAsked = loaded.grants.map((g) => ({ grantId: g.id, organisationId: g.organisationId }));
    const { bareRate, shape } = await withBareSummaries(national.url, grantsAsked, loaded.token, async (port, path, measuredShape) => ({
      bareRate: await readThroughput(port, (i) => path(grantsAsked[(i * 7919) % grantsAsked.length]!.grantId), loaded.token),
      shape: measuredShape,
    }));
    figures.push(
      figure({
        section: 'scale',
        name: `summaries of random grants, 20 clients (${COUNCILS} councils; ${shape.statements} statements in ${shape.roundTrips} round trips, ${summaryBytes} bytes)`,
        value: appRate,
        unit: 'req/s',
        baselineName: 'the same statements, bare pg',
        baseline: bareRate,
        target: '≥ 0.5',
      }),
    );
    return figures;
  } finally {
    await national.drop();
    await single.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await runScaleBenchmarks();
  printFigures(figures);
  process.stdout.write(`\nSaved ${saveFigures('scale', figures)}\n`);
}
