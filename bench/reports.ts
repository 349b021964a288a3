import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { cabinetSql, cellsOf, summarySql, writeFloor } from './floor.ts';
import { createBenchDatabase, LINES, SPEND } from './seed.ts';

/**
 * npm run bench:reports — each report over real HTTP against a baseline timed in the same run
 * (these machines are noisy; only ratios compare). Targets: the DfE .xlsx within 2× of
 * exceljs writing the same cells from memory, with the server under 250 MB peak RSS; the
 * summary and committee table JSON within 1.5× of the bare SQL they need; the forecast JSON
 * within 2× of the summary JSON.
 */
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const WARMUP = 2;
/**
 * The JSON figures are what a server answers all day, so they are taken warm: a few tens of
 * milliseconds each, they can afford the rounds that let V8 compile the request path (after two
 * rounds it is still being interpreted, and the figure measured the JIT, not the code).
 */
const JSON_ROUNDS = Number(process.env.BENCH_JSON_ROUNDS ?? 21);
const JSON_WARMUP = 30;
const MB = 1024 * 1024;

interface Figure {
  readonly name: string;
  readonly medianMs: number;
  readonly baseline: string;
  readonly baselineMedianMs: number;
  readonly ratio: number;
  readonly target: number;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Runs the target and its baseline alternately, so drift on a noisy machine hits both alike. */
async function compare(
  name: string,
  target: () => Promise<unknown>,
  baseline: string,
  floor: () => Promise<unknown>,
  goal: number,
  { warmup, rounds, before }: { warmup: number; rounds: number; before?: () => Promise<unknown> } = { warmup: WARMUP, rounds: ROUNDS },
): Promise<Figure> {
  for (let i = 0; i < warmup; i++) {
    await before?.();
    await target();
    await floor();
  }
  const targetTimes: number[] = [];
  const floorTimes: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Untimed: what the target's figure is the first answer after (a change to the ledger).
    await before?.();
    targetTimes.push(await timed(target));
    floorTimes.push(await timed(floor));
  }
  const figure = { name, medianMs: median(targetTimes), baseline, baselineMedianMs: median(floorTimes), ratio: median(targetTimes) / median(floorTimes), target: goal };
  const verdict = figure.ratio <= goal ? 'ok' : 'OVER TARGET';
  process.stdout.write(
    `${name}\n  ${figure.medianMs.toFixed(1)} ms median of ${rounds}; ${baseline}: ${figure.baselineMedianMs.toFixed(1)} ms\n` +
      `  ratio ${figure.ratio.toFixed(2)}× (target ≤ ${goal}×) ${verdict}\n`,
  );
  return figure;
}

function startServer(databaseUrl: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(new URL('./server.ts', import.meta.url), [], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    // BENCH_SERVER_NODE_ARGS adds Node flags to the server alone, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    child.once('message', (message: { kind: string; port: number }) => resolve({ child, port: message.port }));
  });
}

function ask<T>(child: ChildProcess, kind: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (message: T) => resolve(message));
    child.send({ kind });
  });
}

async function fetchAll(url: string, token: string): Promise<Buffer> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return Buffer.from(await response.arrayBuffer());
}

async function main(): Promise<void> {
  process.stdout.write(`Loading a grant with ${LINES.toLocaleString('en-GB')} lines and ${SPEND.toLocaleString('en-GB')} spend entries…\n`);
  const loadStart = performance.now();
  const bench = await createBenchDatabase(ADMIN_URL);
  process.stdout.write(`  loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s\n\n`);
  const pool = new pg.Pool({ connectionString: bench.url, max: 10 });
  const { child, port } = await startServer(bench.url);
  try {
    const grant = `http://127.0.0.1:${port}/api/v1/grants/${bench.grantId}`;
    const token = bench.readerToken;
    await ask(child, 'collect');
    const before = await ask<{ rss: number; heapUsed: number }>(child, 'memory');

    // The JSON figures first, on a server not yet carrying the workbook runs' garbage.
    const summary = await compare(
      'Summary JSON over HTTP',
      () => fetchAll(`${grant}/summary`, token),
      'its statements, bare, through pg',
      () => summarySql(pool, bench.organisationId, bench.grantId),
      1.5,
      { warmup: JSON_WARMUP, rounds: JSON_ROUNDS },
    );
    // Made on 30 September: half the year actual, half forecast from each line's profile.
    // A forecast is kept per ledger state and followed across changes that touch a few lines
    // (src/forecasts/kept-bodies.ts, src/forecasts/kept-parts.ts), so it is timed five ways: the
    // first forecast after a payment (the commonest write: the paid line is read again); after a
    // line is renumbered to another number (the line read again and placed by its number, as a
    // new numbered line is); after it is renumbered to a name (placed where the database's
    // collation puts it); made on a day not asked for before (every line is read: a forecast is
    // kept per day, docs/decisions/0009); and asked again with nothing changed. Each change is a
    // real audited write through the API, made before each timed request and not timed, undone
    // by the next (a payment of £1.00 then its correction; the ref and back), so no figure drifts.
    const api = (method: string, path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${bench.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (response) => {
        if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
      });
    const paid = await pool.query<{ id: string; ref: string }>(
      `SELECT c.id, c.ref FROM commitments c
       WHERE c.grant_id = $1 AND c.amount - (SELECT coalesce(sum(amount), 0) FROM spend_entries e WHERE e.commitment_id = c.id) >= 1
       ORDER BY c.ref LIMIT 1`,
      [bench.grantId],
    );
    const { id: lineId, ref } = paid.rows[0]!;
    let paymentRound = 0;
    const payment = () => api('POST', `/commitments/${lineId}/spend`, { amount: paymentRound++ % 2 ? '-1.00' : '1.00', spentOn: '2025-07-15' });
    // Refs are "1" to "10000": "99999" moves the line from first to last among the numbered lines.
    const renumberTo = (other: string) => {
      let round = 0;
      return () => api('PATCH', `/commitments/${lineId}`, { ref: round++ % 2 ? ref : other });
    };
    const renumber = renumberTo('99999');
    const rename = renumberTo(`${ref}-R`);
    const forecastUrl = `${grant}/forecast?on=2025-09-30`;
    const forecastFollowed = await compare(
      `Forecast JSON over HTTP (${LINES.toLocaleString('en-GB')} lines, on 30 September), first after a payment`,
      () => fetchAll(forecastUrl, token),
      'the summary JSON over HTTP',
      () => fetchAll(`${grant}/summary`, token),
      2,
      { warmup: JSON_WARMUP, rounds: JSON_ROUNDS, before: payment },
    );
    const forecastRenumbered = await compare(
      `Forecast JSON over HTTP (${LINES.toLocaleString('en-GB')} lines, on 30 September), first after a line is renumbered`,
      () => fetchAll(forecastUrl, token),
      'the summary JSON over HTTP',
      () => fetchAll(`${grant}/summary`, token),
      2,
      { warmup: JSON_WARMUP, rounds: JSON_ROUNDS, before: renumber },
    );
    await api('PATCH', `/commitments/${lineId}`, { ref });
    const forecastRenamed = await compare(
      `Forecast JSON over HTTP (${LINES.toLocaleString('en-GB')} lines, on 30 September), first after a line's ref becomes a name`,
      () => fetchAll(forecastUrl, token),
      'the summary JSON over HTTP',
      () => fetchAll(`${grant}/summary`, token),
      2,
      { warmup: JSON_WARMUP, rounds: JSON_ROUNDS, before: rename },
    );
    await api('PATCH', `/commitments/${lineId}`, { ref });
    // A day of the year's second half not asked for before, each round: 1 October onwards.
    let dayRound = 0;
    const newDay = () => {
      const day = new Date(Date.UTC(2025, 9, 1 + dayRound++)).toISOString().slice(0, 10);
      return fetchAll(`${grant}/forecast?on=${day}`, token);
    };
    const forecastCold = await compare(
      `Forecast JSON over HTTP (${LINES.toLocaleString('en-GB')} lines), made on a day not asked for before (every line read)`,
      newDay,
      'the summary JSON over HTTP',
      () => fetchAll(`${grant}/summary`, token),
      2,
      { warmup: JSON_WARMUP, rounds: JSON_ROUNDS },
    );
    const forecast = await compare(
      `Forecast JSON over HTTP (${LINES.toLocaleString('en-GB')} lines, on 30 September), asked again, nothing changed`,
      () => fetchAll(forecastUrl, token),
      'the summary JSON over HTTP',
      () => fetchAll(`${grant}/summary`, token),
      2,
      { warmup: JSON_WARMUP, rounds: JSON_ROUNDS },
    );
    const cabinet = await compare(
      `Committee table JSON over HTTP (${LINES.toLocaleString('en-GB')} lines)`,
      () => fetchAll(`${grant}/reports/cabinet-table`, token),
      'bare SQL through pg',
      () => cabinetSql(pool, bench.grantId),
      1.5,
      { warmup: JSON_WARMUP, rounds: JSON_ROUNDS },
    );

    const xlsxUrl = `${grant}/reports/dfe-return?quarter=Q2&format=xlsx`;
    const sample = await fetchAll(xlsxUrl, token);
    const sheets = await cellsOf(sample);
    const cells = sheets.reduce((n, sheet) => n + sheet.rows.reduce((m, row) => m + (row?.length ?? 0), 0), 0);
    const beforeWorkbook = await ask<{ maxRss: number }>(child, 'memory');
    await ask(child, 'reset-sample');
    const dfe = await compare(
      `DfE return .xlsx, Q2, end to end over HTTP (${(sample.length / MB).toFixed(1)} MB, ${cells.toLocaleString('en-GB')} cells)`,
      () => fetchAll(xlsxUrl, token),
      'exceljs streaming writer, same cells from memory',
      () => writeFloor(sheets),
      2,
    );
    const memory = await ask<{ rss: number; heapUsed: number; sampledPeak: number; maxRss: number }>(child, 'memory');
    const collected = await ask<{ heapUsed: number }>(child, 'collect');
    process.stdout.write(
      `  server RSS: ${(before.rss / MB).toFixed(0)} MB idle, peak ${(beforeWorkbook.maxRss / MB).toFixed(0)} MB before the workbook runs, ${(memory.maxRss / MB).toFixed(0)} MB after (sampled during the runs: ${(memory.sampledPeak / MB).toFixed(0)} MB); target < 250 MB ${memory.maxRss < 250 * MB ? 'ok' : 'OVER TARGET'}\n` +
        `  server heap: ${(before.heapUsed / MB).toFixed(0)} MB live before, ${(memory.heapUsed / MB).toFixed(0)} MB after the runs, ${(collected.heapUsed / MB).toFixed(0)} MB once collected\n\n`,
    );

    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    const file = new URL(`./results/reports-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url);
    const result = {
      at: new Date().toISOString(),
      node: process.version,
      lines: LINES,
      spendEntries: SPEND,
      rounds: ROUNDS,
      figures: [dfe, summary, forecastFollowed, forecastRenumbered, forecastRenamed, forecastCold, forecast, cabinet],
      serverRss: { idleBytes: before.rss, peakBeforeWorkbookBytes: beforeWorkbook.maxRss, peakBytes: memory.maxRss, sampledPeakBytes: memory.sampledPeak, targetBytes: 250 * MB },
      serverHeap: { liveBeforeBytes: before.heapUsed, afterRunsBytes: memory.heapUsed, afterCollectionBytes: collected.heapUsed },
    };
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`Results written to ${file.pathname}\n`);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send({ kind: 'stop' });
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    child.kill();
    await pool.end();
    await bench.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:reports failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
