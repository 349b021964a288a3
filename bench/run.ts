import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Figure, figure, printFigures, saveFigures } from './lib/results.ts';

/**
 * `npm run bench`: every benchmark, one after another in processes of their own (so one's
 * memory does not weigh on the next), then every figure in one table with its baseline and
 * ratio. Each section also prints its own detail as it runs.
 */
const SECTIONS = ['reports.ts', 'memory.ts', 'writes.ts', 'imports.ts', 'ledger-commit.ts', 'scale.ts', 'cluster.ts', 'regions.ts'];
const only = process.argv.slice(2);
const results = fileURLToPath(new URL('./results/', import.meta.url));
const started = Date.now();

for (const section of SECTIONS.filter((s) => only.length === 0 || only.some((o) => s.startsWith(o)))) {
  process.stdout.write(`\n=== ${section} ===\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', fileURLToPath(new URL(`./${section}`, import.meta.url))], { stdio: 'inherit' });
  if (run.status !== 0) process.stdout.write(`${section} failed (exit ${run.status ?? run.signal}); its figures are missing below.\n`);
}

interface ReportsFigure {
  name: string;
  medianMs: number;
  baseline: string;
  baselineMedianMs: number;
  target: number;
}

/** bench/reports.ts keeps its own richer format; the rest use Figure. */
function figuresIn(file: string): Figure[] {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { figures: (Figure | ReportsFigure)[] };
  return saved.figures.map((f) =>
    'section' in f
      ? f
      : figure({ section: 'reports', name: f.name, value: f.medianMs, unit: 'ms', baselineName: f.baseline, baseline: f.baselineMedianMs, target: `≤ ${f.target}` }),
  );
}

const fresh = readdirSync(results)
  .filter((name) => name.endsWith('.json') && !name.startsWith('all-'))
  .map((name) => join(results, name))
  .filter((file) => statSync(file).mtimeMs >= started)
  .sort();
const figures = fresh.flatMap(figuresIn);
process.stdout.write(`\n=== all figures (${((Date.now() - started) / 60_000).toFixed(1)} minutes) ===\n`);
printFigures(figures);
process.stdout.write(`\nSaved ${saveFigures('all', figures)}\n`);
