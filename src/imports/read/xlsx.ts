import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { type Grid, MAX_CELL_TEXT, MAX_COLUMNS, MAX_ROWS } from './grid.ts';

/**
 * Bounds on the worker that parses a workbook. A 50,000-row sheet parses in a few seconds
 * within this heap; a workbook that needs more is refused rather than allowed to take the
 * server's memory. These are guards, not targets: the zip guard has already refused bombs.
 */
const WORKER_LIMITS = {
  timeoutMs: 20_000,
  maxOldGenerationSizeMb: 512,
  maxYoungGenerationSizeMb: 64,
  stackSizeMb: 4,
} as const;

const WORKER_URL = new URL('./xlsx-worker.mjs', import.meta.url);

const cellSchema = z.object({ t: z.enum(['s', 'n', 'd', 'e']), v: z.string() }).nullable();
const workerAnswer = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    sheet: z.string(),
    sheets: z.array(z.string()),
    rows: z.array(z.object({ row: z.number().int().positive(), cells: z.array(cellSchema) })),
  }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);

export type XlsxReading = { readonly ok: true; readonly grid: Grid } | { readonly ok: false; readonly code: string; readonly message: string };

/** Parses the chosen sheet (or the first) in a worker with a capped heap and a time limit. */
export function readXlsx(bytes: Buffer, sheet: string | null): Promise<XlsxReading> {
  return new Promise((resolve) => {
    let settled = false;
    const worker = new Worker(WORKER_URL, {
      workerData: { bytes: new Uint8Array(bytes), sheet, limits: { rows: MAX_ROWS, columns: MAX_COLUMNS, cellText: MAX_CELL_TEXT } },
      resourceLimits: {
        maxOldGenerationSizeMb: WORKER_LIMITS.maxOldGenerationSizeMb,
        maxYoungGenerationSizeMb: WORKER_LIMITS.maxYoungGenerationSizeMb,
        stackSizeMb: WORKER_LIMITS.stackSizeMb,
      },
      stdout: true,
      stderr: true,
    });
    const finish = (reading: XlsxReading) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(reading);
    };
    const timer = setTimeout(() => {
      finish({ ok: false, code: 'too-slow', message: `took longer than ${WORKER_LIMITS.timeoutMs / 1000} seconds to read; split it into smaller files` });
    }, WORKER_LIMITS.timeoutMs);

    worker.once('message', (message: unknown) => {
      const answer = workerAnswer.safeParse(typeof message === 'string' ? JSON.parse(message) : null);
      if (!answer.success) return finish({ ok: false, code: 'corrupt', message: 'cannot be read as an Excel workbook; it may be damaged' });
      const { data } = answer;
      finish(data.ok ? { ok: true, grid: { sheet: data.sheet, sheets: data.sheets, rows: data.rows } } : data);
    });
    worker.once('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        return finish({ ok: false, code: 'too-large', message: 'needs more memory to read than an import may use; split it into smaller files' });
      }
      finish({ ok: false, code: 'corrupt', message: 'cannot be read as an Excel workbook; it may be damaged' });
    });
    worker.once('exit', () => finish({ ok: false, code: 'corrupt', message: 'cannot be read as an Excel workbook; it may be damaged' }));
  });
}
