import { basename } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type FieldError, Problem, ValidationProblem } from '../shared/problems.ts';
import type { Upload } from './service.ts';

/** Larger than any council's commitments table or a year's ledger export of one grant. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** Room in a body for the form's boundaries and short fields around the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

interface UploadedFile {
  readonly name: string;
  readonly bytes: Buffer;
}

/** A multipart form as read: its short fields at the top (where the pages' CSRF check looks) and the file. */
interface UploadForm {
  readonly [field: string]: string | UploadedFile | null;
}

const fieldsSchema = z.object({
  kind: z.enum(['commitments', 'spend'], { error: 'must be commitments or spend' }),
  sheet: z
    .string()
    .trim()
    .max(100, 'must be at most 100 characters')
    .optional()
    .transform((value) => (value ? value : null)),
  mode: z.enum(['create', 'update'], { error: 'must be create or update' }).default('create'),
  withdrawMissing: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .optional()
    .transform((value) => value === 'true'),
});

const UPLOAD_FIELDS = ['kind', 'sheet', 'mode', 'withdrawMissing'];

/** A revised table updates a grant's lines: a spend file has none to revise, and only a revision has lines to leave out. */
function modeErrors(fields: z.output<typeof fieldsSchema>): FieldError[] {
  const errors: FieldError[] = [];
  if (fields.mode === 'update' && fields.kind !== 'commitments') errors.push({ path: 'mode', message: 'update applies only to a commitments import' });
  if (fields.withdrawMissing && fields.mode !== 'update') errors.push({ path: 'withdrawMissing', message: 'applies only to a revised table (mode=update)' });
  return errors;
}

const MULTIPART_HINT = 'send a multipart/form-data body with the file in the field "file" and the kind (commitments or spend) in "kind"';

/** The file's own name, kept for the person's reference only: no path, no control characters. */
function cleanFileName(name: string | undefined): string {
  const cleaned = basename((name ?? '').replace(/\\/g, '/'))
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 255);
  return cleaned === '' ? 'upload' : cleaned;
}

function tooLarge(): Problem {
  return new Problem('payload-too-large', 413, 'File too large', `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB, the most an import takes; split it.`, {
    errors: [{ path: 'file', message: `must be at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` }],
  });
}

/**
 * Reads a multipart body, bounded by the route's body limit, with the platform's own form-data
 * reader (undici's): one file, named "file", and short text fields.
 */
async function readUploadForm(contentType: string, body: Buffer): Promise<UploadForm> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new ValidationProblem([{ path: 'body', message: MULTIPART_HINT }]);
  }
  const fields: Record<string, string> = {};
  let file: UploadedFile | null = null;
  for (const [name, value] of form) {
    if (typeof value === 'string') {
      fields[name] = value;
    } else if (name !== 'file') {
      throw new ValidationProblem([{ path: name, message: 'is not a field this request accepts; send the file as "file"' }]);
    } else if (file) {
      throw new ValidationProblem([{ path: 'file', message: 'send one file per import' }]);
    } else if (value.size > 0 || value.name) {
      // A browser sends an empty part with no name when no file was chosen.
      if (value.size > MAX_UPLOAD_BYTES) throw tooLarge();
      file = { name: cleanFileName(value.name), bytes: Buffer.from(await value.arrayBuffer()) };
    }
  }
  return { ...fields, file };
}

/**
 * The one reader of uploads, for the API and the pages: a scope that calls this takes
 * multipart bodies as an UploadForm. The body limit stops a larger body as it arrives.
 */
export function acceptUploads(app: FastifyInstance): void {
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES }, (request: FastifyRequest, body: Buffer) =>
    readUploadForm(String(request.headers['content-type']), body),
  );
}

function isUploadForm(body: unknown): body is UploadForm {
  return typeof body === 'object' && body !== null && 'file' in body;
}

/**
 * What an upload asks for: the file, its kind, the sheet and, for a revised table, the mode, every problem named by its field.
 * `alsoAccepted` names fields the caller has read already (the pages' CSRF token).
 */
export function uploadOf(body: unknown, alsoAccepted: readonly string[] = []): Upload {
  if (!isUploadForm(body)) throw new ValidationProblem([{ path: 'file', message: MULTIPART_HINT }]);
  const { file = null, ...fields } = body;
  if (file !== null && typeof file === 'string') throw new ValidationProblem([{ path: 'file', message: MULTIPART_HINT }]);
  const unknown = Object.keys(fields).filter((name) => !UPLOAD_FIELDS.includes(name) && !alsoAccepted.includes(name));
  if (unknown.length > 0) throw new ValidationProblem(unknown.map((path) => ({ path, message: 'is not a field this request accepts' })));
  const parsed = fieldsSchema.safeParse(fields);
  const errors = parsed.success ? modeErrors(parsed.data) : parsed.error.issues.map((issue) => ({ path: String(issue.path[0] ?? 'body'), message: issue.message }));
  if (!file) errors.unshift({ path: 'file', message: 'is missing; choose the spreadsheet to import' });
  if (!parsed.success || !file || errors.length > 0) throw new ValidationProblem(errors);
  const { kind, sheet, mode, withdrawMissing } = parsed.data;
  return { fileName: file.name, bytes: file.bytes, kind, sheet, mode, withdrawMissing };
}
