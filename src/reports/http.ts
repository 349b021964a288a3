import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { type AnyReport, fileFormatsOf, type ReportFormat, type ReportRequest, type ReportScope } from './definition.ts';
import { sendDownload } from '../http/download.ts';

export const MEDIA_TYPES = {
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
} as const;

export type FileFormat = keyof typeof MEDIA_TYPES;

/**
 * Sends a generated file as a download. The name is built only from codes and dates (see
 * safeFilename) and quoted; nosniff stops a browser guessing a type, and an HTML table may
 * carry inline styles but never run anything, should a title ever slip past escaping.
 */
function sendFile(reply: FastifyReply, format: FileFormat, filename: string, body: string | Buffer | Readable): FastifyReply {
  if (format === 'html') reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
  return sendDownload(reply, MEDIA_TYPES[format], filename, body);
}

/**
 * A large report's JSON, stringified here rather than by the route's serializer, which would
 * re-validate every line against the schema on the way out: the body is built by a function
 * typed with that schema's output type, so the compiler has already proved its shape.
 */
function sendJson(reply: FastifyReply, body: object): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
}

const text = (description: string) => ({ schema: z.string().meta({ description }) });
const binary = (description: string) => ({ schema: z.string().meta({ description, format: 'binary' }) });

/** OpenAPI: the 200 response of a report in each of its formats. */
export function reportResponse(report: AnyReport) {
  const all = {
    csv: text('CSV, RFC 4180, UTF-8; text cells that could start a formula begin with an apostrophe.'),
    md: text('A Markdown pipe table.'),
    html: text('A self-contained HTML table with inline styles, for pasting into Word.'),
    xlsx: binary('An Excel workbook; money as numbers formatted in pounds.'),
    docx: binary('A Word document holding the table.'),
  } as const;
  const content: Record<string, { schema: z.ZodType }> = {};
  if (report.formats.json) content['application/json'] = { schema: report.formats.json.schema };
  for (const format of fileFormatsOf(report)) {
    const own = report.formats[format]?.description;
    content[MEDIA_TYPES[format].split(';')[0]!] = own ? (format === 'xlsx' || format === 'docx' ? binary(own) : text(own)) : all[format];
  }
  return { description: report.returns, content };
}

/**
 * A report in the format asked for, to the API and the pages alike: JSON as the route's
 * response, any other format as a download under the report's own file name.
 */
export async function sendReport(
  reply: FastifyReply,
  report: AnyReport,
  request: ReportRequest<ReportScope>,
  query: Record<string, unknown>,
  format: ReportFormat,
): Promise<FastifyReply> {
  const model: unknown = await report.load(request, query);
  if (format === 'json') {
    const json = report.formats.json!;
    const body = await json.write(model);
    return json.asBuilt ? sendJson(reply, body as object) : reply.send(body);
  }
  const fileName = report.fileName(model, query, format);
  return sendFile(reply, format, fileName, await report.formats[format]!.write(model));
}

/** What a report is read for, from a request the route's access rule has already let through. */
export function reportRequest(app: FastifyInstance, report: AnyReport, organisationId: string, params: Readonly<Record<string, string>>): ReportRequest<ReportScope> {
  const scope = report.scope === 'grant' ? { grantId: params['grantId'] } : {};
  return { database: app.database, db: app.database.reads, organisationId, now: app.clock.now(), ...scope };
}
