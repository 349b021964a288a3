import { type ChildProcess, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startNode, type StartedNode, stopNode } from './lib/node-process.ts';
import { productionNodeFlags } from './lib/production-flags.ts';
import { figure, type Figure, printFigures, saveFigures } from './lib/results.ts';
import { adminUrl } from './lib/database.ts';
import { createBenchDatabase, LINES } from './seed.ts';

/**
 * npm run bench:memory — the compiled server as production starts it (`node dist/server.js`
 * against PostgreSQL), measured from outside by the kernel's own counts: resident memory once
 * it answers /ready and has settled, and its peak (VmHWM) while streaming the DfE return for a
 * 10,000-line grant. Baseline: a bare Fastify with a pg pool (bench/bare-pg-server.mjs), idle.
 * Targets are absolute: idle ≤ 120 MB, peak ≤ 250 MB.
 */
const MB = 1024 * 1024;
const IDLE_TARGET_MB = 120;
const PEAK_TARGET_MB = 250;
const WORKBOOK_RUNS = Number(process.env.BENCH_ROUNDS ?? 7);
/** Long enough for start-up's timers and first collections to finish; these are not timings. */
const SETTLE_MS = 3_000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Resident and peak resident memory of a process, from /proc (Linux). */
function memoryOf(child: ChildProcess): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

async function idleRss(started: StartedNode): Promise<number> {
  const ready = await fetch(`${started.address}/ready`);
  if (ready.status !== 200) throw new Error(`/ready answered ${ready.status}`);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return memoryOf(started.child).rss;
}

async function main(): Promise<void> {
  // Always a fresh build: the figures are for the code as it stands.
  if (spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) throw new Error('the build failed');
  process.stdout.write(`Loading a grant with ${LINES.toLocaleString('en-GB')} lines…\n`);
  const bench = await createBenchDatabase(adminUrl());
  const env = { DATABASE_URL: bench.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  try {
    const bare = await startNode('bench/bare-pg-server.mjs', env);
    const bareIdle = await idleRss(bare).finally(() => stopNode(bare.child));

    const server = await startNode('dist/server.js', env, productionNodeFlags());
    try {
      const idle = await idleRss(server);
      const url = `${server.address}/api/v1/grants/${bench.grantId}/reports/dfe-return?quarter=Q2&format=xlsx`;
      let bytes = 0;
      for (let run = 0; run < WORKBOOK_RUNS; run++) {
        const response = await fetch(url, { headers: { authorization: `Bearer ${bench.readerToken}` } });
        if (response.status !== 200) throw new Error(`the DfE return answered ${response.status}: ${await response.text()}`);
        bytes = (await response.arrayBuffer()).byteLength;
      }
      const { peak, rss: after } = memoryOf(server.child);
      process.stdout.write(
        `  bare Fastify + pg idle: ${(bareIdle / MB).toFixed(0)} MB\n  server idle: ${(idle / MB).toFixed(0)} MB (target ≤ ${IDLE_TARGET_MB} MB)\n` +
          `  server peak over ${WORKBOOK_RUNS} DfE returns (${(bytes / MB).toFixed(1)} MB each): ${(peak / MB).toFixed(0)} MB (target ≤ ${PEAK_TARGET_MB} MB); ${(after / MB).toFixed(0)} MB after\n`,
      );
      const absolute = (f: Figure, limitMb: number): Figure => ({ ...f, target: `≤ ${limitMb} MB`, met: f.value <= limitMb });
      const figures = [
        absolute(
          figure({
            section: 'memory',
            name: 'idle RSS, node dist/server.js on PostgreSQL',
            value: idle / MB,
            unit: 'MB',
            baselineName: 'bare Fastify + pg',
            baseline: bareIdle / MB,
            target: '',
          }),
          IDLE_TARGET_MB,
        ),
        absolute(
          figure({
            section: 'memory',
            name: `peak RSS, DfE return .xlsx for ${LINES.toLocaleString('en-GB')} lines ×${WORKBOOK_RUNS}`,
            value: peak / MB,
            unit: 'MB',
            baselineName: 'bare Fastify + pg idle',
            baseline: bareIdle / MB,
            target: '',
          }),
          PEAK_TARGET_MB,
        ),
      ];
      printFigures(figures);
      process.stdout.write(`\nSaved ${saveFigures('memory', figures)}\n`);
    } finally {
      await stopNode(server.child);
    }
  } finally {
    await bench.drop();
  }
}

await main();
