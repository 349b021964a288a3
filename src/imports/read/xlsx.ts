import { z } from 'zod';
import { type Grid, MAX_CELL_TEXT, MAX_COLUMNS, MAX_ROWS } from './grid.ts';
import { parseInWorker, WORKER_TIMEOUT_SECONDS, workerRows } from './worker.ts';

const WORKER_URL = new URL('./xlsx-worker.mjs', import.meta.url);

const workerAnswer = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), sheets: z.array(z.string()), tables: z.array(z.object({ sheet: z.string(), rows: workerRows })).min(1) }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);

export type XlsxReading = { readonly ok: true; readonly grid: Grid } | { readonly ok: false; readonly code: string; readonly message: string };

const UNREADABLE: XlsxReading = { ok: false, code: 'corrupt', message: 'cannot be read as an Excel workbook; it may be damaged' };

/** One sheet's rows, as the worker read them. */
export interface SheetRows {
  readonly sheet: string;
  readonly rows: Grid['rows'];
}

/** Which of several sheets holds the table: an index into them. */
export type ChooseSheet = (sheets: readonly SheetRows[]) => number;

/**
 * Parses the named sheet, or every sheet for `choose` to pick the one holding the table, in a
 * worker with a capped heap and a time limit.
 */
export function readXlsx(bytes: Buffer, sheet: string | null, choose: ChooseSheet = () => 0): Promise<XlsxReading> {
  const workerData = { bytes: new Uint8Array(bytes), sheet, limits: { rows: MAX_ROWS, columns: MAX_COLUMNS, cellText: MAX_CELL_TEXT } };
  return parseInWorker<XlsxReading>(
    WORKER_URL,
    workerData,
    (message) => {
      const answer = workerAnswer.safeParse(message);
      if (!answer.success) return null;
      const { data } = answer;
      if (!data.ok) return data;
      const chosen = data.tables[data.tables.length === 1 ? 0 : choose(data.tables)] ?? data.tables[0]!;
      return { ok: true, grid: { sheet: chosen.sheet, sheets: data.sheets, rows: chosen.rows } };
    },
    {
      tooSlow: { ok: false, code: 'too-slow', message: `took longer than ${WORKER_TIMEOUT_SECONDS} seconds to read; split it into smaller files` },
      tooLarge: { ok: false, code: 'too-large', message: 'needs more memory to read than an import may use; split it into smaller files' },
      unreadable: UNREADABLE,
    },
  );
}
