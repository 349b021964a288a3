import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured figure beside the baseline it is judged against, both from the same run. */
export interface Figure {
  readonly section: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baselineName: string;
  readonly baseline: number;
  /** value ÷ baseline, or its inverse where lower is better, so that 1 means "as good as the baseline". */
  readonly ratio: number;
  /** e.g. "≤ 1.5" or "≥ 0.5"; empty when the figure is informative only. */
  readonly target: string;
  readonly met: boolean | null;
  readonly note?: string;
}

export function figure(input: Omit<Figure, 'ratio' | 'met'> & { higherIsBetter?: boolean }): Figure {
  const ratio = input.value / input.baseline;
  const match = /^([≤≥])\s*([\d.]+)$/.exec(input.target);
  const met = match ? (match[1] === '≤' ? ratio <= Number(match[2]) : ratio >= Number(match[2])) : null;
  const { higherIsBetter: _ignored, ...rest } = input;
  return { ...rest, ratio, met };
}

const format = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3));

export function printFigures(figures: readonly Figure[]): void {
  const rows = figures.map((f) => [
    f.section,
    f.name,
    `${format(f.value)} ${f.unit}`,
    `${f.baselineName}: ${format(f.baseline)} ${f.unit}`,
    f.ratio.toFixed(2),
    f.target || '—',
    f.met === null ? '' : f.met ? 'met' : 'MISSED',
  ]);
  const header = ['section', 'figure', 'value', 'baseline', 'ratio', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
  for (const f of figures.filter((x) => x.note)) process.stdout.write(`  note (${f.name}): ${f.note}\n`);
}

/** Keeps each run's figures as JSON in bench/results/ (not committed), so two runs can be compared. */
export function saveFigures(label: string, figures: readonly Figure[]): string {
  const folder = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${label}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ label, at: new Date().toISOString(), node: process.version, figures }, null, 2));
  return file;
}
