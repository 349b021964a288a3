import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment } from 'nunjucks';
import { londonDateOf, londonTimeOf, longDate } from '../shared/calendar.ts';
import { Decimal, formatPercent, formatPounds, formatTablePounds, type TablePrecision } from '../shared/money.ts';

/** node_modules/govuk-frontend/dist, wherever npm put it: templates and assets come from here. */
export const GOVUK_DIST = dirname(dirname(fileURLToPath(import.meta.resolve('govuk-frontend'))));
export const GOVUK_ASSETS = join(GOVUK_DIST, 'govuk');
export const VIEWS_DIR = fileURLToPath(new URL('./views', import.meta.url));
export const PUBLIC_DIR = fileURLToPath(new URL('./public', import.meta.url));

/**
 * govuk/template.njk has one inline script (it marks the body js-enabled). A CSP hash of it,
 * read from the template itself, lets it run while every other inline script stays blocked,
 * and stays right when govuk-frontend changes the script.
 */
export function govukInlineScriptHash(): string {
  const template = readFileSync(join(GOVUK_ASSETS, 'template.njk'), 'utf8');
  const script = /<script[^>]*>(document\.body\.className[^<]*)<\/script>/.exec(template)?.[1];
  if (!script) throw new Error('govuk/template.njk no longer has the inline script this CSP allows');
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

/** "3 October 2025", GOV.UK's date style; an ISO date string is read without a time zone, an instant on the UK's day. */
export function formatDate(value: string | Date | null | undefined): string {
  if (value == null || value === '') return '';
  return longDate(value instanceof Date ? londonDateOf(value) : value);
}

/** "3 October 2025 at 14:05" in UK time. */
function formatDateTime(value: Date | string | null | undefined): string {
  if (value == null) return '';
  const date = value instanceof Date ? value : new Date(value);
  return `${longDate(londonDateOf(date))} at ${londonTimeOf(date)}`;
}

function toDecimal(value: unknown): Decimal | null {
  if (value == null || value === '') return null;
  return value instanceof Decimal ? value : new Decimal(String(value));
}

/** Filters the templates use; money only ever passes through Decimal. */
export function configureNunjucks(env: Environment): void {
  env.addFilter('pounds', (value: unknown) => {
    const amount = toDecimal(value);
    return amount === null ? 'tbc' : formatPounds(amount);
  });
  // A figure under a "£" column of a printed table: whole pounds or pence as the table decides (src/shared/money.ts).
  env.addFilter('tablePounds', (value: unknown, precision: TablePrecision) => {
    const amount = toDecimal(value);
    return amount === null ? 'tbc' : formatTablePounds(amount, precision);
  });
  env.addFilter('percent', (value: unknown) => {
    const share = toDecimal(value);
    return share === null ? '–' : formatPercent(share);
  });
  env.addFilter('govukDate', (value: string | Date | null) => formatDate(value));
  env.addFilter('govukDateTime', (value: string | Date | null) => formatDateTime(value));
  env.addGlobal('serviceName', 'Ringfence');
}
