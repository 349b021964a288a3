import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { streamWorkbook } from '../../src/reports/shared/xlsx.ts';

const ROWS = 20_000;
const ROWS_PER_CHECKPOINT = 100;

/**
 * A writer of ROWS rows of a DfE Lines sheet's size that says how far it has got. Each row has
 * text that does not compress: rows that repeat deflate so far that the few buffers between the
 * zip and the reader hold megabytes of them.
 */
function countingWriter() {
  const progress = { rows: 0, inCheckpoint: false, finished: false, failure: null as unknown };
  const stream = streamWorkbook(async (workbook, checkpoint) => {
    const sheet = workbook.addWorksheet('Lines');
    try {
      for (let row = 1; row <= ROWS; row++) {
        sheet.addRow([String(row), `Line ${row}: ${randomBytes(48).toString('base64')}`, 'Family help delivery', 'Family Help', 'approved', 1234.56, 1, 2, 3, 4, 10]).commit();
        progress.rows = row;
        if (row % ROWS_PER_CHECKPOINT === 0) {
          progress.inCheckpoint = true;
          await checkpoint();
          progress.inCheckpoint = false;
        }
      }
      sheet.commit();
      progress.finished = true;
    } catch (error) {
      progress.failure = error;
      throw error;
    }
  }, new Date('2025-10-01T00:00:00Z'));
  return { stream, progress };
}

const turnsOfTheEventLoop = async (turns: number) => {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
};

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('a streamed workbook waits for its zip and its reader', () => {
  it('stops writing while nobody reads it, and writes every row once read', async () => {
    const { stream, progress } = countingWriter();
    // Nobody reads: the zip's output fills, then the zip stops taking XML, then the writer
    // must wait at a checkpoint instead of making the rest of the rows in memory.
    await expect.poll(() => progress.inCheckpoint && stream.readableLength >= stream.readableHighWaterMark, { timeout: 20_000, interval: 5 }).toBe(true);
    const parkedAt = progress.rows;
    // Without backpressure each of these turns would let the writer past another checkpoint.
    await turnsOfTheEventLoop(300);
    expect(progress.finished).toBe(false);
    expect(progress.rows - parkedAt).toBeLessThan(5_000);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(await readAll(stream)).buffer);
    const sheet = workbook.getWorksheet('Lines')!;
    expect(sheet.rowCount).toBe(ROWS);
    expect(sheet.getRow(ROWS).getCell(1).value).toBe(String(ROWS));
    expect(progress.finished).toBe(true);
  }, 30_000);

  it('stops a writer waiting on the zip when the download is abandoned', async () => {
    const { stream, progress } = countingWriter();
    await expect.poll(() => progress.inCheckpoint && stream.readableLength >= stream.readableHighWaterMark, { timeout: 20_000, interval: 5 }).toBe(true);
    const closed = new Promise((resolve) => stream.once('close', resolve));
    stream.destroy();
    await closed;
    expect(progress.finished).toBe(false);
    expect(String(progress.failure)).toMatch(/abandoned/);
  }, 30_000);
});
