import { z } from 'zod';
import { type Grid, MAX_CELL_TEXT, MAX_COLUMNS, MAX_ROWS } from './grid.ts';
import { parseInWorker, WORKER_TIMEOUT_SECONDS, workerRows } from './worker.ts';

const WORKER_URL = new URL('./csv-worker.mjs', import.meta.url);

const workerAnswer = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), rows: workerRows }), z.object({ ok: z.literal(false), message: z.string() })]);

export type CsvReading = { readonly ok: true; readonly grid: Grid } | { readonly ok: false; readonly message: string };

/**
 * Reads a CSV (UTF-8 or Windows-1252; commas, semicolons or tabs) into a grid of text cells,
 * in a worker with a capped heap and a time limit, as a workbook is read (see csv-worker.mjs).
 */
export function readCsv(bytes: Buffer): Promise<CsvReading> {
  return parseInWorker<CsvReading>(
    WORKER_URL,
    { bytes: new Uint8Array(bytes), limits: { rows: MAX_ROWS, columns: MAX_COLUMNS, cellText: MAX_CELL_TEXT } },
    (message) => {
      const answer = workerAnswer.safeParse(message);
      if (!answer.success) return null;
      return answer.data.ok ? { ok: true, grid: { rows: answer.data.rows, sheet: null, sheets: [] } } : answer.data;
    },
    {
      tooSlow: { ok: false, message: `took longer than ${WORKER_TIMEOUT_SECONDS} seconds to read; split it into smaller files` },
      tooLarge: { ok: false, message: 'needs more memory to read than an import may use; split it into smaller files' },
      unreadable: { ok: false, message: 'cannot be read as CSV; check that it is a text file' },
    },
  );
}
