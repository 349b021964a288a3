import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { DatabaseHandle } from '../db/connect.ts';
import type { Database, Role } from '../db/tables.ts';
import { ValidationProblem } from '../shared/problems.ts';
import type { FileFormat } from './http.ts';

/**
 * A report, whole: what it is called, whose it is, who may pull it, what it asks, how it reads
 * its data and how it writes each format. Its folder exports one of these and the registry
 * lists it; the API's route, its OpenAPI entry and the pages' download all come from it.
 */
export type ReportScope = 'grant' | 'organisation';

/** What a report is read for: the organisation the caller acts in, its grant for a grant report, and now. */
export type ReportRequest<S extends ReportScope> = {
  readonly database: DatabaseHandle;
  readonly db: Kysely<Database>;
  readonly organisationId: string;
  /** The request's instant, from the app's injected clock. */
  readonly now: Date;
} & (S extends 'grant' ? { readonly grantId: string } : unknown);

export type ReportBody = string | Buffer | Readable;

export interface FileWriter<M> {
  write(model: M): ReportBody | Promise<ReportBody>;
  /** OpenAPI: what the file holds, where the format's usual words do not say enough. */
  readonly description?: string;
}

export interface JsonWriter<M, J = unknown> {
  readonly schema: z.ZodType<J>;
  write(model: M): J | Promise<J>;
  /**
   * Sent as built rather than re-checked line by line against the schema on the way out (see
   * sendJson): for a report of thousands of lines, whose writer's type already proves the shape.
   */
  readonly asBuilt?: boolean;
}

export type ReportFormat = 'json' | FileFormat;

export type ReportWriters<M> = { readonly json?: JsonWriter<M> } & { readonly [F in FileFormat]?: FileWriter<M> };

export interface ReportDefinition<S extends ReportScope = ReportScope, Q extends z.ZodObject = z.ZodObject, M = unknown> {
  /** Unique among the reports: how the registry and its tests name it. */
  readonly id: string;
  /** Under the scope's record: "reports/cabinet-table" is /grants/{grantId}/reports/cabinet-table. */
  readonly path: string;
  readonly scope: S;
  /** The least role a member needs; platform administrators may pull every report. */
  readonly role: Role;
  readonly tag: string;
  readonly summary: string;
  /** OpenAPI: the 200 response's description. */
  readonly returns: string;
  /** Its query parameters, `format` among them when it has more than one format. */
  readonly query: Q;
  readonly formats: ReportWriters<M>;
  /** Reads what the writers need; the generators it hands the model to never touch the database. */
  load(request: ReportRequest<S>, query: z.output<Q>): Promise<M>;
  fileName(model: M, query: z.output<Q>, format: FileFormat): string;
  /**
   * The pages' download of it, when people pull it there too: its path under the scope's page
   * (the API's path when omitted) and the format a form that names none asks for.
   */
  readonly page?: { readonly path?: string; readonly defaultFormat?: FileFormat };
}

/** Any report, as the registry and the handlers hold it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyReport = ReportDefinition<ReportScope, z.ZodObject, any>;

/** Checks a report's parts against each other where it is written; the registry holds it as any report. */
export function defineReport<S extends ReportScope, Q extends z.ZodObject, M>(definition: ReportDefinition<S, Q, M>): AnyReport {
  return definition as unknown as AnyReport;
}

function formatsOf(report: AnyReport): ReportFormat[] {
  return (Object.keys(report.formats) as ReportFormat[]).filter((format) => report.formats[format] !== undefined);
}

export function fileFormatsOf(report: AnyReport): FileFormat[] {
  return formatsOf(report).filter((format): format is FileFormat => format !== 'json');
}

/** The format asked for: the query's, or the report's only one when its query has no `format`. */
export function formatAsked(report: AnyReport, query: Record<string, unknown>, offered: readonly ReportFormat[] = formatsOf(report)): ReportFormat {
  const asked = query['format'] ?? (offered.length === 1 ? offered[0] : undefined);
  if (typeof asked === 'string' && (offered as readonly string[]).includes(asked)) return asked as ReportFormat;
  throw new ValidationProblem([{ path: 'format', message: `must be one of ${offered.join(', ')}` }]);
}

/** The route parameter naming the scope's record. */
export const SCOPE_PARAM = { grant: 'grantId', organisation: 'orgId' } as const satisfies Record<ReportScope, string>;

/** The path of a report under its scope, as Fastify writes it: /grants/:grantId/reports/cabinet-table. */
export function routePath(scope: ReportScope, path: string): string {
  return `/${scope === 'grant' ? 'grants' : 'organisations'}/:${SCOPE_PARAM[scope]}/${path}`;
}
