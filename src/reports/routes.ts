import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { buildCabinetTable } from './cabinet-table/model.ts';
import { cabinetTableCsv } from './cabinet-table/csv.ts';
import { cabinetTableHtml } from './cabinet-table/html.ts';
import { cabinetTableJson, cabinetTableSchema } from './cabinet-table/json.ts';
import { cabinetTableMarkdown } from './cabinet-table/markdown.ts';
import { dfeReturnCsv } from './dfe-return/csv.ts';
import { dfeReturnJson, dfeReturnSchema } from './dfe-return/json.ts';
import { buildDfeReturn } from './dfe-return/model.ts';
import { safeFilename } from './shared/format.ts';
import { spendingOver500Csv } from './transparency/spending-over-500.ts';
import { access, accessOf } from '../auth/access.ts';
import { problemResponses } from '../http/schemas.ts';
import { isoDateSchema, quarterSchema } from '../shared/calendar.ts';
import { NotFoundProblem } from '../shared/problems.ts';
import { asAtParameter, resolveAsAt } from '../summary/as-at.ts';
import { fileResponses, sendFile, sendJson } from './http.ts';
import { dfeReturnWorkbook } from './dfe-workbook.ts';
import {
  findOrganisationHeader,
  loadCommitteeLines,
  loadReportContext,
  quarterFigures,
  transparencyRange,
  transparencyRows,
} from './service.ts';

// The Word and Excel writers are loaded on first use (docx and exceljs add ~35 MB to an idle
// server, and most requests never need them).
const cabinetTableDocx = async (...args: Parameters<typeof import('./cabinet-table/docx.ts').cabinetTableDocx>) =>
  (await import('./cabinet-table/docx.ts')).cabinetTableDocx(...args);
const cabinetTableXlsx = async (...args: Parameters<typeof import('./cabinet-table/xlsx.ts').cabinetTableXlsx>) =>
  (await import('./cabinet-table/xlsx.ts')).cabinetTableXlsx(...args);

const grantParams = z.object({ grantId: z.uuid() });
const asAtPart = (asAt: string | undefined) => (asAt ? `as-at-${asAt}` : null);

const cabinetQuery = z.object({
  format: z.enum(['json', 'csv', 'md', 'html', 'xlsx', 'docx']).default('json'),
  asAt: asAtParameter,
  on: isoDateSchema.optional().meta({
    description:
      'A period\'s last day: list only the lines committed on or before it (by committedOn), from the records as they stand now, or as they stood at asAt when both are given.',
  }),
});

const dfeQuery = z.object({
  quarter: quarterSchema.meta({
    description: "Q1 is April to June. The return counts the lines committed (committedOn) by the quarter's last day and the spend dated up to it.",
  }),
  format: z.enum(['json', 'xlsx', 'csv']).default('json'),
  asAt: asAtParameter,
});

const transparencyQuery = z.object({
  from: isoDateSchema.optional().meta({ description: "First day (inclusive); the grant's financial year when omitted." }),
  to: isoDateSchema.optional().meta({ description: "Last day (inclusive); the grant's financial year when omitted." }),
});

const csvOnly = {
  description: 'text/csv: the Local Government Transparency Code columns, one row per spend entry of £500 or more.',
  content: { 'text/csv': { schema: z.string() } },
};

/** Reports people submit: readers may pull every one; nothing here writes. */
export const reportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/grants/:grantId/reports/cabinet-table',
    {
      config: { access: access.member('grant', 'grantId', 'reader') },
      schema: {
        tags: ['reports'],
        summary: 'The committee table: lines grouped by heading, subtotals, total and balance',
        params: grantParams,
        querystring: cabinetQuery,
        response: { 200: fileResponses(cabinetTableSchema, ['csv', 'md', 'html', 'xlsx', 'docx'], 'The committee table in the format asked for.'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { format, asAt, on } = request.query;
      const { context, committee } = await loadCommitteeLines(app.db, accessOf(request).organisationId, request.params.grantId, await resolveAsAt(app.db, asAt), on ?? null);
      const table = buildCabinetTable(context, committee);
      const filename = (extension: string) =>
        safeFilename(['cabinet-table', table.organisation.code, table.financialYear, on ? `committed-by-${on}` : null, asAtPart(asAt)], extension);
      switch (format) {
        case 'json':
          return sendJson(reply, cabinetTableJson(table));
        case 'csv':
          return sendFile(reply, format, filename(format), cabinetTableCsv(table));
        case 'md':
          return sendFile(reply, format, filename(format), cabinetTableMarkdown(table));
        case 'html':
          return sendFile(reply, format, filename(format), cabinetTableHtml(table));
        case 'xlsx':
          return sendFile(reply, format, filename(format), await cabinetTableXlsx(table, new Date()));
        case 'docx':
          return sendFile(reply, format, filename(format), await cabinetTableDocx(table));
      }
    },
  );

  app.get(
    '/grants/:grantId/reports/dfe-return',
    {
      config: { access: access.member('grant', 'grantId', 'reader') },
      schema: {
        tags: ['reports'],
        summary: 'The quarterly breakdown of expenditure for the DfE',
        params: grantParams,
        querystring: dfeQuery,
        response: { 200: fileResponses(dfeReturnSchema, ['csv', 'xlsx'], 'The return in the format asked for.'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { format, asAt, quarter } = request.query;
      const context = await loadReportContext(app.db, accessOf(request).organisationId, request.params.grantId, await resolveAsAt(app.db, asAt));
      const filename = safeFilename(['dfe-return', context.organisation.code, context.grant.financialYear, quarter, asAtPart(asAt)], format);
      if (format === 'xlsx') return sendFile(reply, format, filename, dfeReturnWorkbook(app.database, context, quarter));
      const report = buildDfeReturn(context, await quarterFigures(app.db, context, quarter), quarter);
      return format === 'json' ? reply.send(dfeReturnJson(report)) : sendFile(reply, format, filename, dfeReturnCsv(report));
    },
  );

  app.get(
    '/grants/:grantId/reports/spending-over-500',
    {
      config: { access: access.member('grant', 'grantId', 'reader') },
      schema: {
        tags: ['reports'],
        summary: "Transparency Code 'spending over £500' CSV for one grant",
        params: grantParams,
        querystring: transparencyQuery,
        response: { 200: csvOnly, ...problemResponses },
      },
    },
    async (request, reply) => {
      const context = await loadReportContext(app.db, accessOf(request).organisationId, request.params.grantId, null);
      const range = transparencyRange(request.query, context.grant.financialYear);
      const filename = safeFilename(['spending-over-500', context.organisation.code, context.grant.schemeCode, range.from, 'to', range.to], 'csv');
      return sendFile(reply, 'csv', filename, spendingOver500Csv(transparencyRows(app.db, { grantId: context.grant.id }, range)));
    },
  );

  app.get(
    '/organisations/:orgId/reports/spending-over-500',
    {
      config: { access: access.member('organisation', 'orgId', 'reader') },
      schema: {
        tags: ['reports'],
        summary: "Transparency Code 'spending over £500' CSV across all the organisation's grants",
        params: z.object({ orgId: z.uuid() }),
        querystring: transparencyQuery,
        response: { 200: csvOnly, ...problemResponses },
      },
    },
    async (request, reply) => {
      const organisationId = accessOf(request).organisationId;
      const organisation = await findOrganisationHeader(app.db, organisationId);
      if (!organisation) throw new NotFoundProblem('organisation');
      const range = transparencyRange(request.query, null);
      const filename = safeFilename(['spending-over-500', organisation.code, range.from, 'to', range.to], 'csv');
      return sendFile(reply, 'csv', filename, spendingOver500Csv(transparencyRows(app.db, { organisationId }, range)));
    },
  );
};
