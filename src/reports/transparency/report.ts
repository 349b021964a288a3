import { z } from 'zod';
import { isoDateSchema } from '../../shared/calendar.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import { defineReport, type FileWriter } from '../definition.ts';
import type { SpendRow } from '../repository.ts';
import { findOrganisationHeader, loadReportContext, transparencyRange, transparencyRows } from '../service.ts';
import { safeFilename } from '../shared/format.ts';
import { spendingOver500Csv } from './spending-over-500.ts';

/**
 * The Transparency Code's "spending over £500", for one grant or across an organisation's
 * grants: two reports (one per scope) with one query and one writer.
 */
const query = z.object({
  from: isoDateSchema.optional().meta({ description: "First day (inclusive); the grant's financial year when omitted." }),
  to: isoDateSchema.optional().meta({ description: "Last day (inclusive); the grant's financial year when omitted." }),
});

interface SpendingOver500 {
  readonly code: string;
  /** The grant's scheme, in a grant's file name. */
  readonly schemeCode: string | null;
  readonly from: string;
  readonly to: string;
  /** Read a page at a time as the file streams. */
  readonly rows: AsyncGenerator<SpendRow[]>;
}

const csv: FileWriter<SpendingOver500> = {
  write: (model) => spendingOver500Csv(model.rows),
  description: 'text/csv: the Local Government Transparency Code columns, one row per spend entry of £500 or more.',
};

const fileName = (model: SpendingOver500) => safeFilename(['spending-over-500', model.code, model.schemeCode, model.from, 'to', model.to], 'csv');

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
    const range = transparencyRange(query, context.grant.financialYear);
    return { code: context.organisation.code, schemeCode: context.grant.schemeCode, ...range, rows: transparencyRows(request.db, { grantId: context.grant.id }, range) };
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
  summary: "Transparency Code 'spending over £500' CSV across all the organisation's grants",
  returns: csv.description!,
  query,
  load: async (request, query): Promise<SpendingOver500> => {
    const organisation = await findOrganisationHeader(request.db, request.organisationId);
    if (!organisation) throw new NotFoundProblem('organisation');
    const range = transparencyRange(query, null);
    return { code: organisation.code, schemeCode: null, ...range, rows: transparencyRows(request.db, { organisationId: request.organisationId }, range) };
  },
  formats: { csv },
  fileName,
});
