import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/tables.ts';
import { isoDateSchema, todayInLondon } from '../../shared/calendar.ts';
import { asAtParameter, resolveAsAt } from '../../figures/as-at.ts';
import { defineReport } from '../definition.ts';
import { forecastGrant } from '../../forecasts/service.ts';
import { ValidationProblem } from '../../shared/problems.ts';
import { loadCommitteeLines } from '../service.ts';
import { safeFilename } from '../shared/format.ts';
import { cabinetTableCsv } from './csv.ts';
import { cabinetTableHtml } from './html.ts';
import { cabinetTableJson, cabinetTableSchema } from './json.ts';
import { cabinetTableMarkdown } from './markdown.ts';
import { buildCabinetTable, type CabinetTable } from './model.ts';

/** The committee table as it stood at the end of `asAt` (or now), of the lines committed by `on` (or all). */
export async function loadCabinetTable(
  db: Kysely<Database>,
  organisationId: string,
  grantId: string,
  query: { asAt?: string | undefined; on?: string | undefined; forecast?: 'true' | 'false' | undefined },
  /** The app's clock's day, which the forecast is made on; the database's when not given. */
  today?: string,
): Promise<CabinetTable> {
  const withForecast = query.forecast === 'true';
  // A forecast is made from the records as they stand now; beside a past day's table it would mislead.
  if (withForecast && query.asAt !== undefined)
    throw new ValidationProblem([{ path: 'forecast', message: 'cannot be combined with asAt: a forecast is made from the records as they stand now' }]);
  const { context, committee } = await loadCommitteeLines(db, organisationId, grantId, await resolveAsAt(db, query.asAt), query.on ?? null);
  if (!withForecast) return buildCabinetTable(context, committee);
  const { forecast } = await forecastGrant(db, organisationId, grantId, { today: today ?? context.organisation.today });
  return buildCabinetTable(context, committee, {
    lines: new Map(forecast.lines.map((line) => [line.ref, line.forecastOutturn])),
    outturn: forecast.forecastOutturn,
    variance: forecast.variance,
  });
}

export const cabinetTableReport = defineReport({
  id: 'cabinet-table',
  path: 'reports/cabinet-table',
  scope: 'grant',
  role: 'reader',
  tag: 'reports',
  summary: 'The committee table: lines grouped by heading, subtotals, total and balance',
  returns: 'The committee table in the format asked for.',
  query: z.object({
    format: z.enum(['json', 'csv', 'md', 'html', 'xlsx', 'docx']).default('json'),
    asAt: asAtParameter,
    on: isoDateSchema.optional().meta({
      description:
        "A period's last day: list only the lines committed on or before it (by committedOn), from the records as they stand now, or as they stood at asAt when both are given.",
    }),
    forecast: z.enum(['true', 'false']).optional().meta({
      description:
        "true: adds forecast outturn and variance (amount − forecast outturn) per line and group (the JSON's fields; in the other formats two columns beside the amount, on the total of commitments too, then the forecast outturn of lines not listed (withdrawn, or committed after on), the grant's forecast outturn and its variance against the allocation, which the JSON gives at its top level). The forecast is made today; not with asAt.",
    }),
  }),
  load: (request, query) => loadCabinetTable(request.db, request.organisationId, request.grantId, query, todayInLondon(request.now)),
  formats: {
    json: { schema: cabinetTableSchema, write: cabinetTableJson, asBuilt: true },
    csv: { write: cabinetTableCsv },
    md: { write: cabinetTableMarkdown },
    html: { write: cabinetTableHtml },
    // The Word and Excel writers are loaded on first use (docx and exceljs add ~35 MB to an
    // idle server, and most requests never need them).
    xlsx: { write: async (table) => (await import('./xlsx.ts')).cabinetTableXlsx(table, new Date()) },
    docx: { write: async (table) => (await import('./docx.ts')).cabinetTableDocx(table) },
  },
  fileName: (table, query, format) =>
    safeFilename(['cabinet-table', table.organisation.code, table.financialYear, query.on ? `committed-by-${query.on}` : null, query.asAt ? `as-at-${query.asAt}` : null], format),
  page: {},
});
