import type { EChartsOption } from 'echarts';
import type { Decimal } from '../../shared/money.ts';
import type { CategorySummary } from '../../summary/service.ts';
import type { QuarterSpend } from './repository.ts';
import type * as EChartsCore from 'echarts/core';

/** GOV.UK palette: blue, mid-grey and red read apart for most colour vision. */
const COLOURS = { committed: '#1d70b8', planned: '#b1b4b6', cap: '#d4351c', spent: '#00703c', text: '#0b0c0c' } as const;
const FONT = { fontFamily: 'arial, sans-serif', fontSize: 14, color: COLOURS.text };

/**
 * ECharts draws with JavaScript numbers. Pounds become numbers here and only here, for the
 * pixels: every figure a person reads is printed from the Decimal beside the chart.
 */
function forDrawing(amount: Decimal | null): number | null {
  return amount === null ? null : Number(amount.toFixed(2));
}

function poundsAxisLabel(value: number): string {
  if (value >= 1_000_000) return `£${value / 1_000_000}m`;
  if (value >= 1_000) return `£${value / 1_000}k`;
  return `£${value}`;
}

/**
 * ECharts is thousands of modules: loaded on the first chart drawn rather than at start, and
 * only the parts these two charts use, which keeps the idle server small.
 */
let loading: Promise<typeof EChartsCore> | undefined;
function loadECharts(): Promise<typeof EChartsCore> {
  loading ??= (async () => {
    const [core, charts, components, renderers] = await Promise.all([import('echarts/core'), import('echarts/charts'), import('echarts/components'), import('echarts/renderers')]);
    core.use([charts.BarChart, charts.LineChart, components.GridComponent, components.LegendComponent, renderers.SVGRenderer]);
    return core;
  })();
  return loading;
}

/**
 * Renders on the server to an SVG string, then names it for assistive technology (ECharts'
 * server renderer adds no accessible name); the figures are also in a table beside it.
 */
async function renderSvg(option: EChartsOption, size: { width: number; height: number }, label: string): Promise<string> {
  const echarts = await loadECharts();
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, ...size });
  try {
    chart.setOption({ animation: false, textStyle: FONT, ...option });
    const escaped = label.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    return chart.renderToSVGString().replace(/^<svg /, `<svg role="img" aria-label="${escaped}" focusable="false" `);
  } finally {
    chart.dispose();
  }
}

/** Each category: committed against its planned share, and the cap where there is one. */
export function categoryChart(categories: readonly CategorySummary[]): Promise<string> {
  const names = categories.map((c) => c.name);
  return renderSvg(
    {
      grid: { left: 20, right: 40, top: 50, bottom: 30, containLabel: true },
      legend: { top: 0, left: 0, textStyle: FONT, itemGap: 24 },
      xAxis: { type: 'value', axisLabel: { ...FONT, formatter: poundsAxisLabel }, splitLine: { lineStyle: { color: '#e5e6e7' } } },
      yAxis: { type: 'category', data: names, inverse: true, axisLabel: { ...FONT, width: 190, overflow: 'break' } },
      series: [
        { name: 'Committed', type: 'bar', data: categories.map((c) => forDrawing(c.committed)), itemStyle: { color: COLOURS.committed }, barGap: '10%' },
        { name: 'Planned share', type: 'bar', data: categories.map((c) => forDrawing(c.planned)), itemStyle: { color: COLOURS.planned } },
        { name: 'Cap', type: 'bar', data: categories.map((c) => forDrawing(c.cap)), itemStyle: { color: COLOURS.cap } },
      ],
    },
    { width: 900, height: 80 + categories.length * 80 },
    'Bar chart of each category: committed, planned share and cap, in pounds. The same figures are in the table below.',
  );
}

/** Spend in each quarter of the financial year, and the running total. */
export function quarterlyChart(quarters: readonly QuarterSpend[]): Promise<string> {
  return renderSvg(
    {
      grid: { left: 20, right: 30, top: 50, bottom: 20, containLabel: true },
      legend: { top: 0, left: 0, textStyle: FONT, itemGap: 24 },
      xAxis: { type: 'category', data: quarters.map((q) => q.label), axisLabel: FONT },
      yAxis: { type: 'value', axisLabel: { ...FONT, formatter: poundsAxisLabel }, splitLine: { lineStyle: { color: '#e5e6e7' } } },
      series: [
        { name: 'Spent in quarter', type: 'bar', data: quarters.map((q) => forDrawing(q.spent)), itemStyle: { color: COLOURS.spent } },
        { name: 'Spent to date', type: 'line', data: quarters.map((q) => forDrawing(q.toDate)), itemStyle: { color: COLOURS.committed }, lineStyle: { width: 3 }, symbolSize: 8 },
      ],
    },
    { width: 900, height: 320 },
    'Chart of spend by quarter and spend to date, in pounds. The same figures are in the table below.',
  );
}

export interface ForecastMonth {
  readonly label: string;
  readonly actual: Decimal;
  readonly forecast: Decimal;
  /** Actual and forecast to the end of this month. */
  readonly toDate: Decimal;
}

/** Actual by month, the forecast for the months ahead, the running outturn and the allocation it should reach. */
export function forecastChart(months: readonly ForecastMonth[], allocation: Decimal): Promise<string> {
  return renderSvg(
    {
      grid: { left: 20, right: 30, top: 50, bottom: 20, containLabel: true },
      legend: { top: 0, left: 0, textStyle: FONT, itemGap: 24 },
      xAxis: { type: 'category', data: months.map((m) => m.label), axisLabel: FONT },
      yAxis: { type: 'value', axisLabel: { ...FONT, formatter: poundsAxisLabel }, splitLine: { lineStyle: { color: '#e5e6e7' } } },
      series: [
        { name: 'Actual', type: 'bar', stack: 'month', data: months.map((m) => forDrawing(m.actual)), itemStyle: { color: COLOURS.spent } },
        { name: 'Forecast', type: 'bar', stack: 'month', data: months.map((m) => forDrawing(m.forecast)), itemStyle: { color: COLOURS.planned } },
        { name: 'Outturn to date', type: 'line', data: months.map((m) => forDrawing(m.toDate)), itemStyle: { color: COLOURS.committed }, lineStyle: { width: 3 }, symbolSize: 8 },
        {
          name: 'Allocation',
          type: 'line',
          data: months.map(() => forDrawing(allocation)),
          itemStyle: { color: COLOURS.cap },
          lineStyle: { type: 'dashed', width: 2 },
          symbol: 'none',
        },
      ],
    },
    { width: 900, height: 360 },
    'Chart of actual spend by month, the forecast for the months ahead, the running outturn and the allocation, in pounds. The same figures are in the table below.',
  );
}

/** Shares as percentages for the pixels; the figures a person reads are printed from the Decimal in the table. */
function percentForDrawing(share: Decimal | null): number | null {
  return share === null ? null : Number(share.times(100).toFixed(2));
}

/**
 * Committed share of the allocation at each month's end, through the year: the quartiles of
 * the sharing councils, and each council's own line while there are few enough to tell apart.
 */
export function committedShareChart(
  through: {
    months: readonly string[];
    councils: readonly { name: string; shares: readonly (Decimal | null)[] }[];
    median: readonly (Decimal | null)[];
    q1: readonly (Decimal | null)[];
    q3: readonly (Decimal | null)[];
  },
  labels: readonly string[],
  perCouncil: boolean,
): Promise<string> {
  const quartile = (name: string, values: readonly (Decimal | null)[], dashed: boolean) => ({
    name,
    type: 'line' as const,
    data: values.map(percentForDrawing),
    itemStyle: { color: dashed ? '#505a5f' : COLOURS.text },
    lineStyle: { width: dashed ? 2 : 4, type: dashed ? ('dashed' as const) : ('solid' as const) },
    symbol: 'none',
  });
  return renderSvg(
    {
      grid: { left: 20, right: 30, top: perCouncil ? 90 : 50, bottom: 20, containLabel: true },
      legend: { top: 0, left: 0, textStyle: FONT, itemGap: 16 },
      xAxis: { type: 'category', data: [...labels], axisLabel: FONT },
      yAxis: { type: 'value', axisLabel: { ...FONT, formatter: '{value}%' }, splitLine: { lineStyle: { color: '#e5e6e7' } } },
      series: [
        ...(perCouncil
          ? through.councils.map((c) => ({ name: c.name, type: 'line' as const, data: c.shares.map(percentForDrawing), lineStyle: { width: 1.5 }, symbolSize: 5 }))
          : []),
        quartile('Median', through.median, false),
        quartile('Lower quartile', through.q1, true),
        quartile('Upper quartile', through.q3, true),
      ],
    },
    { width: 900, height: perCouncil ? 420 : 360 },
    'Line chart of committed share of the allocation at the end of each month of the year: the median and quartiles of the sharing councils' +
      (perCouncil ? ', and each council' : '') +
      '. The year-to-date figures are in the table below.',
  );
}
