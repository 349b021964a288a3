import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { hashApiToken } from '../src/auth/tokens.ts';
import { createMigratedDatabase, pounds, seededRandom, withClient } from './lib/database.ts';
import { startNode, stopNode } from './lib/node-process.ts';
import { type Figure, figure, printFigures, saveFigures } from './lib/results.ts';
import { productionNodeFlags } from './lib/production-flags.ts';
import { type ServerProcess, startServerProcess } from './lib/server-process.ts';

/**
 * `npm run bench -- ledger`: a year's ledger (a 50,000-row CSV export) previewed and committed
 * over HTTP through the whole app, and what another council's writes feel meanwhile.
 *
 * - The commit rate: rows ÷ the time from POST …/commit (answered 202) to GET showing it
 *   committed (polled every 100 ms), with nothing else running. Target ≥ 5,000 payments/s;
 *   preview plus commit < 20 s.
 * - Council B writes spend (4 clients, one after another each) first alone, then throughout
 *   A's commit of the same ledger into a second grant: B's p99 during ÷ B's p99 alone. Target
 *   ≤ 2×, and no 5xx at all. The commit runs at the lowest priority (src/imports/commit-thread.ts),
 *   so it takes longer beside B; that time is noted too.
 */
const ROWS = Number(process.env.BENCH_LEDGER_ROWS ?? 50_000);
/**
 * The server measured: by default the compiled one as `npm start` runs it (dist/server.js, whose
 * commits run in dist/commit-worker.js); BENCH_LEDGER_SERVER=source runs bench/server.ts through
 * tsx instead, which also reports its event loop's holds, its CPU and its GC pauses.
 */
const FROM_SOURCE = process.env.BENCH_LEDGER_SERVER === 'source';
const LINES = 20;
const CLIENTS = 4;
const IDLE_WRITES = Number(process.env.BENCH_IDLE_WRITES ?? 400);

async function seedCouncil(url: string, name: string): Promise<{ token: string; organisationId: string }> {
  const token = `rf_bench_${randomBytes(24).toString('base64url')}`;
  return withClient(url, async (client) => {
    const suffix = randomBytes(3).toString('hex');
    const user = await client.query<{ id: string }>(`INSERT INTO users (email, name) VALUES ($1, 'Bench finance') RETURNING id`, [`finance.${suffix}@bench.example`]);
    const code = `E0${String(Math.floor(1_000_000 + Math.random() * 8_999_999))}`;
    const organisation = await client.query<{ id: string }>(`INSERT INTO organisations (name, code) VALUES ($1, $2) RETURNING id`, [name, code]);
    await client.query(`INSERT INTO memberships (organisation_id, user_id, role) VALUES ($1, $2, 'finance')`, [organisation.rows[0]!.id, user.rows[0]!.id]);
    await client.query(`INSERT INTO api_tokens (user_id, name, token_hash, organisation_id) VALUES ($1, 'bench', $2, $3)`, [
      user.rows[0]!.id,
      hashApiToken(token),
      organisation.rows[0]!.id,
    ]);
    return { token, organisationId: organisation.rows[0]!.id };
  });
}

async function call(port: number, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; location: string | null }> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body instanceof FormData ? {} : { 'content-type': 'application/json' }) },
    body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json(), location: response.headers.get('location') };
}

async function ok(port: number, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const answer = await call(port, token, method, path, body);
  if (answer.status >= 300) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
  return answer.body;
}

async function seedGrant(port: number, url: string, name: string, lines: number) {
  const { token, organisationId } = await seedCouncil(url, name);
  const grant = await ok(port, token, 'POST', `/organisations/${organisationId}/grants`, {
    scheme: 'csc-prevention',
    financialYear: '2025-26',
    tranches: [{ amount: '90000000.00', description: 'Bench allocation', status: 'confirmed' }],
  });
  const lineIds: string[] = [];
  for (let i = 0; i < lines; i++) {
    const line = await ok(port, token, 'POST', `/grants/${grant.id}/commitments`, { title: `Line ${i + 1}`, category: 'family_help_delivery', amount: '3000000.00' });
    await ok(port, token, 'POST', `/grants/${grant.id}/cost-centres`, { code: `CC${String(i).padStart(3, '0')}`, commitmentId: line.id });
    lineIds.push(line.id);
  }
  return { token, grantId: grant.id as string, lineIds };
}

function ledgerCsv(): string {
  const random = seededRandom(2025_26);
  const rows = ['GL Date,Transaction Number,Supplier Name,Cost Centre,Description,Net Amount'];
  for (let i = 0; i < ROWS; i++) {
    const day = new Date(Date.UTC(2025, 3, 1 + Math.floor(random() * 365))).toISOString().slice(0, 10);
    rows.push(
      `${day},AP-${String(i + 1).padStart(6, '0')},Supplier ${i % 400},CC${String(i % LINES).padStart(3, '0')},Payment ${i + 1},${pounds(1_000 + Math.floor(random() * 49_000))}`,
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}

const percentile = (values: readonly number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;

/** CLIENTS loops of council B's spend writes until `until` says stop (or `count` are done): each latency and status. */
async function writesOfB(port: number, b: { token: string; lineIds: string[] }, until: () => boolean, count = Infinity) {
  const latencies: number[] = [];
  const statuses: number[] = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      while (!until() && sent < count) {
        sent++;
        const start = performance.now();
        // A connection the server reset or refused is counted (status 0), not left to end the run.
        const status = await call(port, b.token, 'POST', `/commitments/${b.lineIds[client % b.lineIds.length]}/spend`, {
          amount: '1.00',
          spentOn: '2025-06-30',
          reference: `B-${sent}`,
        }).then(
          (answer) => answer.status,
          () => 0,
        );
        latencies.push(performance.now() - start);
        statuses.push(status);
      }
    }),
  );
  return { latencies, statuses };
}

interface LoopDelay {
  readonly maxMs: number;
  readonly p99Ms: number;
  readonly cpuMs: number;
  readonly longestGcMs: number;
}

/**
 * Asks the server (bench/server.ts) to start measuring its event loop's delay, or for what it
 * measured since; null from the compiled server, which has no channel to ask over.
 */
function loopDelay(server: ServerProcess, kind: 'loop-reset' | 'loop'): Promise<LoopDelay | null> {
  if (!server.child.connected) return Promise.resolve(null);
  return new Promise((resolve) => {
    const answer = (message: { kind: string } & LoopDelay) => {
      if (message.kind !== kind) return;
      server.child.off('message', answer);
      resolve(message);
    };
    server.child.on('message', answer);
    server.child.send({ kind });
  });
}

interface CommitRun {
  readonly previewMs: number;
  readonly commitMs: number;
  readonly loop: LoopDelay | null;
  readonly failedPolls: number;
}

/**
 * Previews the ledger into `council`'s grant and commits it: the commit's time is from its 202
 * to GET showing it committed (polled every 100 ms). `meanwhile` starts as the commit does and
 * is told when it has ended.
 */
async function previewAndCommit(
  server: ServerProcess,
  council: { token: string; grantId: string },
  csv: string,
  meanwhile: (ended: () => boolean) => Promise<unknown> = async () => {},
) {
  const form = new FormData();
  form.append('kind', 'spend');
  form.append('file', new Blob([csv]), 'ledger.csv');
  const previewStart = performance.now();
  const preview = await ok(server.port, council.token, 'POST', `/grants/${council.grantId}/imports`, form);
  const previewMs = performance.now() - previewStart;
  if (preview.willCreate.count !== ROWS || !preview.canCommit) throw new Error(`preview would create ${preview.willCreate.count}: ${JSON.stringify(preview.problems.slice(0, 3))}`);

  let ended = false;
  await loopDelay(server, 'loop-reset');
  const commitStart = performance.now();
  const started = await call(server.port, council.token, 'POST', `/imports/${preview.id}/commit`);
  if (started.status !== 202) throw new Error(`commit answered ${started.status}: ${JSON.stringify(started.body).slice(0, 500)}`);
  const alongside = meanwhile(() => ended);
  let status = 'committing';
  let failedPolls = 0;
  while (status === 'committing') {
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The poll is the bench's own; one that fails (a 503 at a heavily loaded moment) is counted and tried again.
    const answer = await call(server.port, council.token, 'GET', `/imports/${preview.id}`).catch(() => null);
    if (answer?.status !== 200) {
      failedPolls++;
      continue;
    }
    status = answer.body.status;
  }
  const commitMs = performance.now() - commitStart;
  const loop = await loopDelay(server, 'loop');
  ended = true;
  await alongside;
  if (status !== 'committed') throw new Error(`the commit ended ${status}`);
  return { previewMs, commitMs, loop, failedPolls } satisfies CommitRun;
}

const describeLoop = (loop: LoopDelay | null) =>
  loop
    ? `the server's event loop held at most ${loop.maxMs.toFixed(0)} ms at a time (p99 ${loop.p99Ms.toFixed(0)} ms); server CPU ${loop.cpuMs.toFixed(0)} ms during the commit; longest GC pause ${loop.longestGcMs.toFixed(0)} ms`
    : 'the compiled server (BENCH_LEDGER_SERVER=source for its event loop)';

const describeRun = (what: string, run: CommitRun) =>
  `  ${what}: preview ${run.previewMs.toFixed(0)} ms, commit ${run.commitMs.toFixed(0)} ms (${((ROWS / run.commitMs) * 1000).toFixed(0)} payments/s); ${run.failedPolls} polls failed; ${describeLoop(run.loop)}\n`;

/** The server to measure, with npm start's node flags: the young generation's size moves the commit's CPU by a third. */
async function startServer(databaseUrl: string): Promise<ServerProcess> {
  if (FROM_SOURCE) return startServerProcess(new URL('./server.ts', import.meta.url), { DATABASE_URL: databaseUrl }, productionNodeFlags());
  if (spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'inherit' }).status !== 0)
    throw new Error('the build failed');
  const started = await startNode('dist/server.js', { DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, productionNodeFlags());
  return { port: Number(new URL(started.address).port), child: started.child, stop: () => stopNode(started.child) };
}

async function main(): Promise<void> {
  const csv = ledgerCsv();
  process.stdout.write(`A ${ROWS.toLocaleString('en-GB')}-row ledger CSV, ${(csv.length / 1024 / 1024).toFixed(2)} MB\n`);
  const database = await createMigratedDatabase('ledger');
  const server = await startServer(database.url);
  try {
    // A commits the ledger twice, into two grants alike: alone (the commit's own speed), then
    // while B writes (what B feels, and what A's commit gives up to B).
    const aAlone = await seedGrant(server.port, database.url, 'Council A', LINES);
    const a = await seedGrant(server.port, database.url, 'Council A, beside B', LINES);
    const b = await seedGrant(server.port, database.url, 'Council B', 4);

    const alone = await previewAndCommit(server, aAlone, csv);
    process.stdout.write(describeRun('A alone', alone));

    // Warm the request path, then B alone.
    await writesOfB(server.port, b, () => false, 100);
    await loopDelay(server, 'loop-reset');
    const idle = await writesOfB(server.port, b, () => false, IDLE_WRITES);
    const idleLoop = await loopDelay(server, 'loop');
    if (idleLoop) process.stdout.write(`  B alone: the server's event loop held at most ${idleLoop.maxMs.toFixed(0)} ms at a time (p99 ${idleLoop.p99Ms.toFixed(0)} ms)\n`);

    let busy: Awaited<ReturnType<typeof writesOfB>> | null = null;
    const beside = await previewAndCommit(server, a, csv, async (ended) => {
      busy = await writesOfB(server.port, b, ended);
    });
    process.stdout.write(describeRun('A beside B', beside));
    const during = busy! as Awaited<ReturnType<typeof writesOfB>>;

    const serverErrors = during.statuses.filter((s) => s >= 500).length;
    const connectionErrors = during.statuses.filter((s) => s === 0).length + idle.statuses.filter((s) => s === 0).length;
    const figures: Figure[] = [
      figure({
        section: 'ledger',
        name: `commit, ${ROWS.toLocaleString('en-GB')} payments (202 to committed)`,
        value: (ROWS / alone.commitMs) * 1000,
        unit: 'rows/s',
        baselineName: 'target',
        baseline: 5_000,
        target: '≥ 1',
        note: `${alone.commitMs.toFixed(0)} ms alone; ${beside.commitMs.toFixed(0)} ms (${((ROWS / beside.commitMs) * 1000).toFixed(0)} payments/s) while B wrote, which it gives way to`,
      }),
      figure({
        section: 'ledger',
        name: `preview + commit, ${ROWS.toLocaleString('en-GB')} rows, end to end`,
        value: alone.previewMs + alone.commitMs,
        unit: 'ms',
        baselineName: 'target',
        baseline: 20_000,
        target: '≤ 1',
        note: `preview ${alone.previewMs.toFixed(0)} ms, commit ${alone.commitMs.toFixed(0)} ms`,
      }),
      figure({
        section: 'ledger',
        name: `council B's spend write p99 during A's commit (${CLIENTS} clients)`,
        value: percentile(during.latencies, 99),
        unit: 'ms',
        baselineName: 'B alone',
        baseline: percentile(idle.latencies, 99),
        target: '≤ 2',
        note: `${during.latencies.length} writes during (median ${percentile(during.latencies, 50).toFixed(1)} ms), ${idle.latencies.length} alone (median ${percentile(idle.latencies, 50).toFixed(1)} ms); ${serverErrors} answered 5xx, ${connectionErrors} lost their connection`,
      }),
    ];
    printFigures(figures);
    if (serverErrors > 0) process.stdout.write(`\n${serverErrors} of council B's writes answered 5xx during the commit.\n`);
    process.stdout.write(`\nResults written to ${saveFigures('ledger', figures)}\n`);
  } finally {
    await server.stop();
    await database.drop();
  }
}

await main().catch((error: unknown) => {
  process.stderr.write(`bench ledger failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
