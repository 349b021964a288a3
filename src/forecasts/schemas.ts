import { z } from 'zod';
import { WARNING_CODES } from '../conditions/warnings.ts';
import { optionalText } from '../http/schemas.ts';
import { isoDateSchema, monthSchema, monthsOfFinancialYear, periodSchema } from '../shared/calendar.ts';
import { formatMoney, formatMoneyOrNull, moneyInput, moneyOutput, shareInput, shareOutput } from '../shared/money.ts';
import type { Forecast } from './outturn.ts';
import type { Profile } from './profile.ts';
import type { Assumptions, KeptForecastItem } from './service.ts';

const SOURCES = ['entered', 'posts', 'even'] as const;

export const profileBody = z.strictObject({
  months: z
    .array(z.strictObject({ month: monthSchema, amount: moneyInput }))
    .max(12, 'must name at most the twelve months of the year')
    .meta({ description: "Planned spend by calendar month, within the grant's year. An empty list removes the entered profile." }),
});

const monthAmount = z.object({ month: z.string().meta({ examples: ['2025-04'] }), amount: moneyOutput });

export const profileSchema = z
  .object({
    source: z
      .enum(SOURCES)
      .meta({ description: 'entered by hand; else from the posts and secondments the line funds; else its unspent amount spread evenly over the months left.' }),
    months: z.array(monthAmount).meta({ description: 'The twelve months of the grant’s year, April first.' }),
  })
  .meta({ id: 'LineProfile' });

export function presentProfile(financialYear: string, profile: Profile): z.output<typeof profileSchema> {
  return { source: profile.source, months: monthsOfFinancialYear(financialYear).map((month, index) => ({ month, amount: formatMoney(profile.months[index]!) })) };
}

const ASSUMPTION = /^(withdraw:[0-9a-f-]{36}|delay:[0-9a-f-]{36}:(1[0-2]|[1-9]))$/i;

export const forecastQuery = z.object({
  on: isoDateSchema.optional().meta({ description: "The day the forecast is made on, within the grant's year (default today, brought into the year)." }),
  assume: z
    .string()
    .max(4000)
    .optional()
    .meta({
      description:
        'What if, saving nothing: comma-separated `withdraw:<commitmentId>` (the line forecasts nothing more) and `delay:<postId or secondmentId>:<months>` (it starts 1-12 months later; lines with an entered profile keep it).',
      examples: ['delay:6f1c1f7e-0000-4000-8000-000000000001:1,withdraw:6f1c1f7e-0000-4000-8000-000000000002'],
    }),
});

/** The `assume` parameter as assumptions, or a 400 naming it. */
export function parseAssumptions(text: string | undefined): { assumptions: Assumptions } | { error: string } {
  if (text === undefined || text === '') return { assumptions: { withdraw: [], delay: [] } };
  const parts = text.split(',').map((part) => part.trim());
  const bad = parts.find((part) => !ASSUMPTION.test(part));
  if (bad !== undefined) return { error: `"${bad}" is not withdraw:<commitmentId> or delay:<postId or secondmentId>:<1-12 months>` };
  const withdraw = parts.filter((p) => p.startsWith('withdraw:')).map((p) => p.slice('withdraw:'.length).toLowerCase());
  const delay = parts.filter((p) => p.startsWith('delay:')).map((p) => ({ id: p.slice(6, 42).toLowerCase(), months: Number(p.slice(43)) }));
  return { assumptions: { withdraw, delay } };
}

const outturnShape = {
  actualToDate: moneyOutput.meta({ description: 'Spend dated on or before `on`, corrections included.' }),
  forecastRemaining: moneyOutput.meta({ description: 'Expected from the months after `on` to 31 March.' }),
  forecastOutturn: moneyOutput.meta({ description: 'actualToDate + forecastRemaining.' }),
};

export const forecastSchema = z
  .object({
    grantId: z.uuid(),
    financialYear: z.string(),
    on: z.iso.date(),
    period: periodSchema,
    allocation: moneyOutput,
    ...outturnShape,
    variance: moneyOutput.meta({ description: 'allocation − forecastOutturn: positive is an underspend.' }),
    assumed: z.boolean().meta({ description: 'true when `assume` changed the figures (nothing was saved).' }),
    categories: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        heading: z.string(),
        ...outturnShape,
        cap: moneyOutput.nullable(),
        forecastExposure: moneyOutput.meta({ description: 'Σ over live lines of the larger of amount and forecast outturn.' }),
        forecastHeadroom: moneyOutput.nullable().meta({ description: 'cap − forecastExposure; null without a cap.' }),
      }),
    ),
    headings: z.array(z.object({ heading: z.string(), label: z.string(), ...outturnShape })),
    months: z.array(z.object({ month: z.string(), actual: moneyOutput, forecast: moneyOutput })),
    lines: z.array(z.object({ id: z.uuid(), ref: z.string(), title: z.string(), category: z.string(), ...outturnShape, source: z.enum(SOURCES) })),
    warnings: z.array(z.object({ code: z.enum(WARNING_CODES), message: z.string(), category: z.string().optional() })),
  })
  .meta({ id: 'GrantForecast' });

const outturnOf = (o: {
  actualToDate: Parameters<typeof formatMoney>[0];
  forecastRemaining: Parameters<typeof formatMoney>[0];
  forecastOutturn: Parameters<typeof formatMoney>[0];
}) => ({
  actualToDate: formatMoney(o.actualToDate),
  forecastRemaining: formatMoney(o.forecastRemaining),
  forecastOutturn: formatMoney(o.forecastOutturn),
});

/** The forecast's response but its lines: the few dozen figures above them, checked at run time. */
const forecastHeadSchema = forecastSchema.omit({ lines: true });

function presentForecastHead(grant: { id: string; financialYear: string }, forecast: Forecast, assumed: boolean): z.output<typeof forecastHeadSchema> {
  return {
    grantId: grant.id,
    financialYear: grant.financialYear,
    on: forecast.on,
    period: forecast.period,
    allocation: formatMoney(forecast.allocation),
    ...outturnOf(forecast),
    variance: formatMoney(forecast.variance),
    assumed,
    categories: forecast.categories.map((c) => ({
      code: c.code,
      name: c.name,
      heading: c.heading,
      ...outturnOf(c),
      cap: formatMoneyOrNull(c.cap),
      forecastExposure: formatMoney(c.forecastExposure),
      forecastHeadroom: formatMoneyOrNull(c.forecastHeadroom),
    })),
    headings: forecast.headings.map((h) => ({ heading: h.heading, label: h.label, ...outturnOf(h) })),
    months: forecast.months.map((m) => ({ month: m.month, actual: formatMoney(m.actual), forecast: formatMoney(m.forecast) })),
    warnings: forecast.warnings.map((w) => ({ code: w.code, message: w.message, ...(w.category === undefined ? {} : { category: w.category }) })),
  };
}

/**
 * The forecast's response body as JSON text, the shape of forecastSchema. Ten thousand lines
 * are most of it: checking each against the schema (what the route's response serializer does
 * for every route) took longer than working them out. So the head is checked here like any
 * other response, and the lines are printed as the database printed their figures (an id from
 * the table, money as NUMERIC text to the penny); test/forecasts/forecast.test.ts checks every
 * body it reads against the whole schema, lines included. The route sends the text as it is,
 * and OpenAPI shows forecastSchema.
 */
export function forecastJson(grant: { id: string; financialYear: string }, forecast: Forecast, assumed: boolean): string {
  // Printed by the database (findForecastRows, lines: 'json'): the same text JSON.stringify gives, put in as it is.
  if (forecast.linesJson !== undefined) {
    const { before, after } = forecastJsonAroundLines(grant, forecast, assumed);
    return `${before}${forecast.linesJson}${after}`;
  }
  const head = forecastHeadSchema.parse(presentForecastHead(grant, forecast, assumed));
  const lines = forecast.lines.map((l) => ({
    id: l.id,
    ref: l.ref,
    title: l.title,
    category: l.category,
    actualToDate: l.text.actualToDate,
    forecastRemaining: l.text.forecastRemaining,
    forecastOutturn: l.text.forecastOutturn,
    source: l.source,
  }));
  return JSON.stringify({ ...head, lines });
}

/**
 * The forecast's response body but its lines' objects: the text before them (the head, checked
 * as forecastJson checks it, and `"lines":[`) and after them, for lines printed elsewhere
 * (the database, or a kept forecast's parts in src/forecasts/kept-parts.ts) as JSON objects
 * joined by commas.
 */
export function forecastJsonAroundLines(grant: { id: string; financialYear: string }, forecast: Forecast, assumed: boolean): { before: string; after: string } {
  const head = forecastHeadSchema.parse(presentForecastHead(grant, forecast, assumed));
  return { before: `${JSON.stringify(head).slice(0, -1)},"lines":[`, after: ']}' };
}

export const keepForecastBody = z.strictObject({ commentary: optionalText(4000).meta({ description: 'What moved and why, as the monitoring report says it.' }) }).nullish();

export const keptForecastSchema = z
  .object({
    period: periodSchema,
    on: z.iso.date(),
    takenAt: z.iso.datetime(),
    allocation: moneyOutput,
    actualToDate: moneyOutput,
    forecastOutturn: moneyOutput,
    variance: moneyOutput,
    movement: moneyOutput.nullable().meta({ description: "forecastOutturn − the previous kept period's; null for the first." }),
    commentary: z.string().nullable(),
  })
  .meta({ id: 'KeptForecast' });

export function presentKept(item: KeptForecastItem): z.output<typeof keptForecastSchema> {
  return {
    period: item.period,
    on: item.on,
    takenAt: item.takenAt.toISOString(),
    allocation: formatMoney(item.allocation),
    actualToDate: formatMoney(item.actualToDate),
    forecastOutturn: formatMoney(item.forecastOutturn),
    variance: formatMoney(item.variance),
    movement: formatMoneyOrNull(item.movement),
    commentary: item.commentary,
  };
}

export const forecastSettingsBody = z.strictObject({
  underspendThreshold: shareInput.meta({ description: 'A forecast underspend above this fraction of the allocation warns (default "0.0500").' }),
});

export const forecastSettingsSchema = z.object({ underspendThreshold: shareOutput }).meta({ id: 'ForecastSettings' });
