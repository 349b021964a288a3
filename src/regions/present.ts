import type { Readable } from 'node:stream';
import { z } from 'zod';
import { csvDocument, type CsvCell } from '../reports/shared/csv.ts';
import { PERCENT, POUNDS, streamWorkbook, textValue } from '../reports/shared/xlsx.ts';
import { type Decimal, formatMoney, formatShare, moneyOutput, shareOutput } from '../shared/money.ts';
import { BENCHMARK_FIGURES, type Benchmark, type BenchmarkFigure, type GrantBenchmarks, type Headline, type Overview } from './service.ts';

/**
 * The overview and the benchmarks as they leave Ringfence: JSON, CSV and xlsx from the same
 * rows. Nothing but the headline figures and the council's name and code is in any of them.
 */
const quartileText = z.string().regex(/^-?\d+\.\d{2,4}$/);
const benchmarkSchema = z
  .object({
    median: quartileText,
    q1: quartileText,
    q3: quartileText,
    n: z.number().int().meta({ description: 'How many councils have this figure.' }),
  })
  .meta({ id: 'Benchmark', description: 'Quartiles (inclusive, as QUARTILE.INC) over the figures as published: money to the penny, shares to four decimals, counts to two.' });

const benchmarksSchema = z
  .object(
    Object.fromEntries(Object.keys(BENCHMARK_FIGURES).map((figure) => [figure, benchmarkSchema.optional()])) as Record<BenchmarkFigure, z.ZodOptional<typeof benchmarkSchema>>,
  )
  .meta({ id: 'Benchmarks' });

const headlineFigures = {
  allocation: moneyOutput,
  committed: moneyOutput,
  spent: moneyOutput,
  committedShare: shareOutput.nullable().meta({ description: 'committed / allocation; null while nothing is allocated.' }),
  spentShare: shareOutput.nullable(),
  forecastOutturn: moneyOutput.meta({ description: "The council's forecast outturn made today." }),
  variance: moneyOutput.meta({ description: 'allocation − forecastOutturn: positive is an underspend.' }),
  transformationShare: shareOutput.nullable().meta({ description: "The scheme's capped category's committed share, as in the DfE return." }),
  postsInPost: z.number().int(),
  postsTotal: z.number().int().meta({ description: 'Headcount of every post not ended.' }),
  overdueReturns: z.number().int(),
  rag: z.object({ red: z.number().int(), amber: z.number().int(), green: z.number().int() }).meta({ description: 'Workstreams (not closed) by their current rating.' }),
};

const overviewItemSchema = z.object({ organisation: z.object({ id: z.uuid(), name: z.string(), code: z.string() }), ...headlineFigures }).meta({ id: 'OverviewItem' });

export const overviewSchema = z
  .object({
    organisation: z.object({ id: z.uuid(), name: z.string(), code: z.string(), kind: z.enum(['council', 'region', 'national']) }),
    financialYear: z.string(),
    scheme: z.object({ code: z.string(), name: z.string() }).nullable(),
    items: z.array(overviewItemSchema),
    benchmarks: benchmarksSchema,
  })
  .meta({ id: 'RegionOverview' });

export const grantBenchmarksSchema = z
  .object({
    available: z.boolean(),
    reason: z.enum(['not-sharing', 'too-few-sharing']).optional().meta({ description: 'Why there is no benchmark: the council does not share, or fewer than five councils do.' }),
    minimum: z.number().int(),
    own: z.object(headlineFigures),
    benchmarks: benchmarksSchema.optional(),
  })
  .meta({ id: 'GrantBenchmarks' });

const shareOrNull = (share: Decimal | null) => (share === null ? null : formatShare(share));

function figures(h: Headline) {
  return {
    allocation: formatMoney(h.allocation),
    committed: formatMoney(h.committed),
    spent: formatMoney(h.spent),
    committedShare: shareOrNull(h.committedShare),
    spentShare: shareOrNull(h.spentShare),
    forecastOutturn: formatMoney(h.forecastOutturn),
    variance: formatMoney(h.variance),
    transformationShare: shareOrNull(h.transformationShare),
    postsInPost: h.postsInPost,
    postsTotal: h.postsTotal,
    overdueReturns: h.overdueReturns,
    rag: { ...h.rag },
  };
}

export function presentOverview(overview: Overview): z.infer<typeof overviewSchema> {
  return {
    organisation: { ...overview.organisation },
    financialYear: overview.financialYear,
    scheme: overview.scheme,
    items: overview.items.map((h) => ({ organisation: { ...h.organisation }, ...figures(h) })),
    benchmarks: overview.benchmarks as Partial<Record<BenchmarkFigure, Benchmark>>,
  };
}

export function presentBenchmarks(result: GrantBenchmarks, minimum: number): z.infer<typeof grantBenchmarksSchema> {
  if (!result.available) return { available: false, reason: result.reason, minimum, own: figures(result.own) };
  return { available: true, minimum, own: figures(result.own), benchmarks: result.benchmarks };
}

const COLUMNS = [
  'Council',
  'Code',
  'Allocation',
  'Committed',
  'Spent',
  'Committed share',
  'Spent share',
  'Forecast outturn',
  'Variance',
  'Transformation share',
  'Posts in post',
  'Posts total',
  'Overdue returns',
  'Workstreams red',
  'Workstreams amber',
  'Workstreams green',
] as const;

export function overviewCsv(overview: Overview): string {
  const count = (n: number) => String(n);
  const rows: CsvCell[][] = overview.items.map((h) => [
    h.organisation.name,
    h.organisation.code,
    h.allocation,
    h.committed,
    h.spent,
    shareOrNull(h.committedShare),
    shareOrNull(h.spentShare),
    h.forecastOutturn,
    h.variance,
    shareOrNull(h.transformationShare),
    count(h.postsInPost),
    count(h.postsTotal),
    count(h.overdueReturns),
    count(h.rag.red),
    count(h.rag.amber),
    count(h.rag.green),
  ]);
  return csvDocument([[...COLUMNS], ...rows]);
}

/** Sheet "Overview": a row per council, money in pounds and shares as percentages; sheet "Quartiles" below it. */
export function overviewXlsx(overview: Overview, created: Date): Readable {
  return streamWorkbook(async (workbook) => {
    const sheet = workbook.addWorksheet('Overview');
    sheet.columns = COLUMNS.map((header, index) => ({ header, width: index === 0 ? 36 : 16 }));
    const number = (value: Decimal | null) => (value === null ? null : value.toNumber());
    for (const h of overview.items) {
      const row = sheet.addRow([
        textValue(h.organisation.name),
        textValue(h.organisation.code),
        number(h.allocation),
        number(h.committed),
        number(h.spent),
        number(h.committedShare === null ? null : h.committedShare.toDecimalPlaces(4)),
        number(h.spentShare === null ? null : h.spentShare.toDecimalPlaces(4)),
        number(h.forecastOutturn),
        number(h.variance),
        number(h.transformationShare === null ? null : h.transformationShare.toDecimalPlaces(4)),
        h.postsInPost,
        h.postsTotal,
        h.overdueReturns,
        h.rag.red,
        h.rag.amber,
        h.rag.green,
      ]);
      for (const column of [3, 4, 5, 8, 9]) row.getCell(column).numFmt = POUNDS;
      for (const column of [6, 7, 10]) row.getCell(column).numFmt = PERCENT;
      row.commit();
    }
    sheet.commit();
    const quartiles = workbook.addWorksheet('Quartiles');
    quartiles.columns = [
      { header: 'Figure', width: 24 },
      { header: 'Lower quartile', width: 16 },
      { header: 'Median', width: 16 },
      { header: 'Upper quartile', width: 16 },
      { header: 'Councils', width: 10 },
    ];
    for (const [figure, benchmark] of Object.entries(overview.benchmarks) as [BenchmarkFigure, Benchmark][]) {
      quartiles.addRow([figure, Number(benchmark.q1), Number(benchmark.median), Number(benchmark.q3), benchmark.n]).commit();
    }
    quartiles.commit();
  }, created);
}
