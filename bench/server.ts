import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { connectPostgres } from '../src/db/connect.ts';

/**
 * The app as production runs it (buildApp over a pg pool, listening on a real port), alone in
 * its own process so its peak RSS is its own. Driven over IPC by bench/reports.ts.
 */
const url = process.env.DATABASE_URL;
if (!url || !process.send) throw new Error('bench/server.ts is started by bench/reports.ts');

const database = connectPostgres(url, { poolSize: 10 });
const app = await buildApp({ config: loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' }), database });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;

// Sampled as well as read from getrusage: maxRSS is the lifetime peak, the samples show when.
// memoryUsage.rss() alone: the full memoryUsage() walks V8's heap spaces, and every 5 ms that
// took 3–6% of the server's CPU away from what is measured.
let sampledPeak = process.memoryUsage.rss();
const sampler = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
}, 5);

// How long the event loop was held at a time (what every other request waits behind), and the
// process's CPU, between a 'loop-reset' and a 'loop' message.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let cpuAtReset = process.cpuUsage();
// The longest garbage collection pause in the same window: the part of a held loop that is V8's.
let longestGc = 0;
const gcPauses = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longestGc = Math.max(longestGc, entry.duration);
});
gcPauses.observe({ entryTypes: ['gc'] });

process.on('message', async (message: { kind: string }) => {
  if (message.kind === 'loop-reset') {
    loopDelay.reset();
    longestGc = 0;
    cpuAtReset = process.cpuUsage();
    process.send!({ kind: 'loop-reset' });
  } else if (message.kind === 'loop') {
    const cpu = process.cpuUsage(cpuAtReset);
    process.send!({ kind: 'loop', maxMs: loopDelay.max / 1e6, p99Ms: loopDelay.percentile(99) / 1e6, cpuMs: (cpu.user + cpu.system) / 1000, longestGcMs: longestGc });
  } else if (message.kind === 'memory') {
    process.send!({ kind: 'memory', rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, sampledPeak, maxRss: process.resourceUsage().maxRSS * 1024 });
  } else if (message.kind === 'collect') {
    // Run with --expose-gc by the bench only: shows what a report leaves behind once collected.
    globalThis.gc?.();
    process.send!({ kind: 'collect', heapUsed: process.memoryUsage().heapUsed });
  } else if (message.kind === 'reset-sample') {
    sampledPeak = process.memoryUsage.rss();
    process.send!({ kind: 'reset-sample' });
  } else if (message.kind === 'stop') {
    clearInterval(sampler);
    loopDelay.disable();
    gcPauses.disconnect();
    await app.close();
    await database.close();
    process.exit(0);
  }
});
process.send({ kind: 'ready', port });
