import { z } from 'zod';
import { financialYearSchema, isoDateSchema, quarterSchema } from '../../shared/calendar.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import { defineReport, type FileWriter } from '../definition.ts';
import type { SpendRow } from '../repository.ts';
import { findOrganisationHeader, loadReportContext, type TransparencyPeriod, transparencyPeriod, transparencyRows } from '../service.ts';
import { safeFilename } from '../shared/format.ts';
import { type PublishingBody, spendingOver500Csv } from './spending-over-500.ts';

/**
 * The Transparency Code's "spending over £500", for one grant or across an organisation's
 * grants: two reports (one per scope) with one query and one writer. A council publishes a
 * quarter as one file: the organisation's report for `financialYear` and `quarter`.
 */
const query = z.object({
  from: isoDateSchema.optional().meta({ description: "First day (inclusive); the grant's financial year when omitted. Not with quarter or financialYear." }),
  to: isoDateSchema.optional().meta({ description: "Last day (inclusive); the grant's financial year when omitted. Not with quarter or financialYear." }),
  financialYear: financialYearSchema
    .optional()
    .meta({ description: "A financial year (1 April to 31 March), whole or the quarter of it asked for; the grant's own when a grant's report is given only a quarter." }),
  quarter: quarterSchema.optional().meta({ description: 'A quarter of the financial year: Q1 is April to June. The Code asks councils to publish each quarter.' }),
});

interface SpendingOver500 {
  readonly body: PublishingBody;
  /** The grant's scheme, in a grant's file name. */
  readonly schemeCode: string | null;
  readonly period: TransparencyPeriod;
  /** Read a page at a time as the file streams. */
  readonly rows: AsyncGenerator<SpendRow[]>;
}

const csv: FileWriter<SpendingOver500> = {
  write: (model) => spendingOver500Csv(model.body, model.rows),
  description:
    "text/csv: the Local Government Transparency Code columns, then the LGA layout's (body name, organisation code, transaction number, supplier id, expenditure code, card transaction), one row per supplier payment of £500 or more; payroll, HMRC and pension payments are left out and payments to individuals redacted.",
};

function fileName({ body, schemeCode, period }: SpendingOver500): string {
  const covers = period.quarter ? [period.quarter.financialYear, period.quarter.quarter] : [period.from, 'to', period.to];
  return safeFilename(['spending-over-500', body.code, schemeCode, ...covers], 'csv');
}

export const grantSpendingOver500Report = defineReport({
  id: 'spending-over-500',
  path: 'reports/spending-over-500',
  scope: 'grant',
  role: 'reader',
  tag: 'reports',
  summary: "Transparency Code 'spending over £500' CSV for one grant",
  returns: csv.description!,
  query,
  load: async (request, query): Promise<SpendingOver500> => {
    const context = await loadReportContext(request.db, request.organisationId, request.grantId, null);
    const period = transparencyPeriod(query, context.grant.financialYear);
    const { name, code } = context.organisation;
    return { body: { name, code }, schemeCode: context.grant.schemeCode, period, rows: transparencyRows(request.db, { grantId: context.grant.id }, period) };
  },
  formats: { csv },
  fileName,
  page: {},
});

export const organisationSpendingOver500Report = defineReport({
  id: 'organisation-spending-over-500',
  path: 'reports/spending-over-500',
  scope: 'organisation',
  role: 'reader',
  tag: 'reports',
  summary: "Transparency Code 'spending over £500' CSV across all the organisation's grants: a quarter's publication as one file",
  returns: csv.description!,
  query,
  load: async (request, query): Promise<SpendingOver500> => {
    const organisation = await findOrganisationHeader(request.db, request.organisationId);
    if (!organisation) throw new NotFoundProblem('organisation');
    const period = transparencyPeriod(query, null);
    const { name, code } = organisation;
    return { body: { name, code }, schemeCode: null, period, rows: transparencyRows(request.db, { organisationId: request.organisationId }, period) };
  },
  formats: { csv },
  fileName,
  page: {},
});
