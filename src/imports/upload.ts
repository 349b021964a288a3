import { basename } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Problem, ValidationProblem } from '../shared/problems.ts';
import type { Upload } from './service.ts';

/** Larger than any council's commitments table or a year's ledger export of one grant. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** What @fastify/multipart is told: one file, a few short fields, nothing else. */
export const MULTIPART_LIMITS = { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5, fieldSize: 1_000, parts: 8, headerPairs: 100 } as const;

const fieldsSchema = z.object({
  kind: z.enum(['commitments', 'spend'], { error: 'must be commitments or spend' }),
  sheet: z.string().trim().max(100, 'must be at most 100 characters').optional().transform((value) => (value ? value : null)),
});

const MULTIPART_HINT = 'send a multipart/form-data body with the file in the field "file" and the kind (commitments or spend) in "kind"';

/** The file's own name, kept for the person's reference only: no path, no control characters. */
function cleanFileName(name: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = basename((name ?? '').replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return cleaned === '' ? 'upload' : cleaned;
}

function refusal(error: unknown): unknown {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return new Problem('payload-too-large', 413, 'File too large', `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB, the most an import takes; split it.`, {
      errors: [{ path: 'file', message: `must be at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` }],
    });
  }
  if (code === 'FST_FILES_LIMIT') return new ValidationProblem([{ path: 'file', message: 'send one file per import' }]);
  if (typeof code === 'string' && code.startsWith('FST_')) return new ValidationProblem([{ path: 'body', message: MULTIPART_HINT }]);
  return error;
}

/**
 * Reads the form: the one file into memory (bounded by the size limit, which busboy enforces
 * as the bytes arrive) and the short fields, in whatever order the client sent them.
 */
export async function readUpload(request: FastifyRequest): Promise<Upload> {
  if (!request.isMultipart()) throw new ValidationProblem([{ path: 'file', message: MULTIPART_HINT }]);
  const fields: Record<string, string> = {};
  let file: { name: string; bytes: Buffer } | null = null;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw new ValidationProblem([{ path: part.fieldname, message: 'is not a field this request accepts; send the file as "file"' }]);
        file = { name: cleanFileName(part.filename), bytes: await part.toBuffer() };
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    throw refusal(error);
  }
  const unknown = Object.keys(fields).filter((name) => name !== 'kind' && name !== 'sheet');
  if (unknown.length > 0) throw new ValidationProblem(unknown.map((path) => ({ path, message: 'is not a field this request accepts' })));
  const parsed = fieldsSchema.safeParse(fields);
  const errors = parsed.success ? [] : parsed.error.issues.map((issue) => ({ path: String(issue.path[0] ?? 'body'), message: issue.message }));
  if (!file) errors.unshift({ path: 'file', message: 'is missing; choose the spreadsheet to import' });
  if (!parsed.success || !file) throw new ValidationProblem(errors);
  return { fileName: file.name, bytes: file.bytes, kind: parsed.data.kind, sheet: parsed.data.sheet };
}
