import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { cabinetTableCsv } from '../../reports/cabinet-table/csv.ts';
import { cabinetTableHtml } from '../../reports/cabinet-table/html.ts';
import { cabinetTableMarkdown } from '../../reports/cabinet-table/markdown.ts';
import { buildCabinetTable, type CabinetTable } from '../../reports/cabinet-table/model.ts';
import { dfeReturnCsv } from '../../reports/dfe-return/csv.ts';
import { buildDfeReturn } from '../../reports/dfe-return/model.ts';
import { safeFilename } from '../../reports/shared/format.ts';
import { spendingOver500Csv } from '../../reports/transparency/spending-over-500.ts';
import type { DatabaseHandle } from '../../db/connect.ts';
import type { Database } from '../../db/tables.ts';
import { sendFile } from '../../reports/http.ts';
import { dfeReturnWorkbook } from '../../reports/dfe-workbook.ts';
import { loadCommitteeLines, loadReportContext, quarterFigures, transparencyRange, transparencyRows } from '../../reports/service.ts';
import type { Quarter } from '../../shared/calendar.ts';
import { resolveAsAt } from '../../summary/as-at.ts';

/**
 * The API's report generators (reports/, src/reports/), served to a signed-in person as
 * downloads. The API routes authenticate with bearer tokens only, so the pages call the same
 * generators rather than the routes; the figures and files are the same.
 */
// Loaded on first use, as the API does: the Word and Excel writers are large and rarely needed.
const cabinetTableDocx = async (table: CabinetTable) => (await import('../../reports/cabinet-table/docx.ts')).cabinetTableDocx(table);
const cabinetTableXlsx = async (table: CabinetTable) => (await import('../../reports/cabinet-table/xlsx.ts')).cabinetTableXlsx(table, new Date());

const asAtPart = (asAt: string | undefined) => (asAt ? `as-at-${asAt}` : null);

export async function cabinetTable(db: Kysely<Database>, organisationId: string, grantId: string, asAt: string | undefined): Promise<CabinetTable> {
  const { context, committee } = await loadCommitteeLines(db, organisationId, grantId, await resolveAsAt(db, asAt));
  return buildCabinetTable(context, committee);
}

export type CabinetFormat = 'csv' | 'md' | 'html' | 'xlsx' | 'docx';

export async function sendCabinetTable(reply: FastifyReply, table: CabinetTable, format: CabinetFormat, asAt: string | undefined): Promise<FastifyReply> {
  const filename = safeFilename(['cabinet-table', table.organisation.code, table.financialYear, asAtPart(asAt)], format);
  switch (format) {
    case 'csv':
      return sendFile(reply, format, filename, cabinetTableCsv(table));
    case 'md':
      return sendFile(reply, format, filename, cabinetTableMarkdown(table));
    case 'html':
      return sendFile(reply, format, filename, cabinetTableHtml(table));
    case 'xlsx':
      return sendFile(reply, format, filename, await cabinetTableXlsx(table));
    case 'docx':
      return sendFile(reply, format, filename, await cabinetTableDocx(table));
  }
}

export async function sendDfeReturn(
  database: DatabaseHandle,
  reply: FastifyReply,
  scope: { organisationId: string; grantId: string },
  query: { quarter: Quarter; format: 'xlsx' | 'csv'; asAt?: string | undefined },
): Promise<FastifyReply> {
  const { db } = database;
  const context = await loadReportContext(db, scope.organisationId, scope.grantId, await resolveAsAt(db, query.asAt));
  const filename = safeFilename(['dfe-return', context.organisation.code, context.grant.financialYear, query.quarter, asAtPart(query.asAt)], query.format);
  // The workbook reads all its sheets in one snapshot, as the API's route does.
  if (query.format === 'xlsx') return sendFile(reply, 'xlsx', filename, dfeReturnWorkbook(database, context, query.quarter));
  const report = buildDfeReturn(context, await quarterFigures(db, context, query.quarter), query.quarter);
  return sendFile(reply, 'csv', filename, dfeReturnCsv(report));
}

export async function sendSpendingOver500(
  db: Kysely<Database>,
  reply: FastifyReply,
  scope: { organisationId: string; grantId: string },
  query: { from?: string | undefined; to?: string | undefined },
): Promise<FastifyReply> {
  const context = await loadReportContext(db, scope.organisationId, scope.grantId, null);
  const range = transparencyRange(query, context.grant.financialYear);
  const filename = safeFilename(['spending-over-500', context.organisation.code, context.grant.schemeCode, range.from, 'to', range.to], 'csv');
  return sendFile(reply, 'csv', filename, spendingOver500Csv(transparencyRows(db, { grantId: context.grant.id }, range)));
}
