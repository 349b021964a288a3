import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';

/**
 * Backpressure between exceljs's streaming writer and its zip, which it does not have itself.
 *
 * The writer turns each committed row into XML at once and hands it to the part (a sheet's XML
 * file inside the .xlsx) it is writing; the zip deflates the parts one after another, on
 * libuv's thread pool. exceljs's own part stream passes each 64 KB batch on without waiting for
 * the zip to take it, so a writer that commits rows faster than they are deflated (a page of
 * 5,000 lines is written between two turns of the event loop) piles its XML up in memory: up to
 * ~50 MB of a 10,000-line DfE return's ~35 MB of sheet XML at once (measured in bench/memory.ts,
 * see bench/README.md), where the zip never needs more than a batch.
 *
 * `withBackpressure` gives a workbook part streams of our own (plain `Readable`s, which the zip
 * reads with ordinary backpressure) and a wait that the writer calls between rows: it returns
 * once the XML written but not yet taken by the zip is under `limit` bytes.
 */

/** The zip takes a part in batches of this size, as exceljs's own part stream batches them. */
const BATCH_BYTES = 64 * 1024;

/** What exceljs writes into a part: XML text, or its reusable text buffer (copied at once). */
type PartChunk = string | Buffer | { readonly buffer: Buffer; readonly length: number };

class ZipPart extends Readable {
  #batch = Buffer.allocUnsafe(BATCH_BYTES);
  #filled = 0;
  #ended = false;
  /** The zip has asked for more than this part holds: it waits on the writer, not the writer on it. */
  #wanted = false;
  #onProgress: (() => void) | null = null;

  constructor() {
    super({ highWaterMark: BATCH_BYTES });
    this.once('end', () => this.#progress());
    this.once('close', () => this.#progress());
  }

  /** Called by exceljs's writers; never waits (`caughtUp` does, between rows). */
  write(chunk: PartChunk): boolean {
    if (typeof chunk === 'string') this.#add(Buffer.from(chunk, 'utf8'));
    else if (Buffer.isBuffer(chunk)) this.#add(chunk);
    else this.#add(chunk.buffer.subarray(0, chunk.length));
    return this.readableLength < BATCH_BYTES;
  }

  end(): this {
    if (this.#ended) return this;
    this.#ended = true;
    this.#flush();
    this.push(null);
    // exceljs's own part stream says 'zipped' as it ends (WorkbookWriter waits on it for any
    // sheet still open at commit).
    this.emit('zipped');
    return this;
  }

  /** Bytes written but not yet taken by the zip. */
  get unread(): number {
    return this.readableLength + this.#filled;
  }

  /** Whether waiting on this part can help: it has XML for the zip, or is not finished. */
  get waitsOnZip(): boolean {
    return !this.readableEnded && !this.destroyed && !(this.#wanted && !this.#ended);
  }

  /** Settles when the zip next asks for more of this part, or the part is done. */
  progress(): Promise<void> {
    return new Promise((resolve) => {
      this.#onProgress = resolve;
    });
  }

  override _read(): void {
    this.#wanted = true;
    this.#progress();
  }

  #progress(): void {
    const resolve = this.#onProgress;
    this.#onProgress = null;
    resolve?.();
  }

  #add(bytes: Buffer): void {
    let offset = 0;
    while (offset < bytes.length) {
      const copied = bytes.copy(this.#batch, this.#filled, offset);
      offset += copied;
      this.#filled += copied;
      if (this.#filled === BATCH_BYTES) this.#flush();
    }
  }

  #flush(): void {
    if (this.#filled === 0) return;
    const full = this.#batch.subarray(0, this.#filled);
    this.#batch = Buffer.allocUnsafe(BATCH_BYTES);
    this.#filled = 0;
    this.#wanted = false;
    this.push(full);
  }
}

/** What exceljs's WorkbookWriter has but does not declare: its zip, and the method that opens a part in it. */
interface WriterInternals {
  zip: { append(source: Readable, data: { name: string }): unknown; on(event: 'error', listener: (error: Error) => void): unknown };
  _openStream(path: string): unknown;
}

function internalsOf(workbook: ExcelJS.stream.xlsx.WorkbookWriter): WriterInternals {
  const candidate: Partial<WriterInternals> = workbook as Partial<WriterInternals>;
  if (typeof candidate._openStream !== 'function' || typeof candidate.zip?.append !== 'function') {
    // exceljs 4.4.0 is the last release; a different one must be checked before it is used.
    throw new Error('exceljs WorkbookWriter no longer has _openStream and zip: see src/reports/shared/zip-parts.ts');
  }
  return candidate as WriterInternals;
}

export interface Backpressure {
  /** Waits until the zip has all but `limit` bytes of what was written, or `abandoned` aborts. */
  caughtUp(limit: number, abandoned: AbortSignal): Promise<void>;
}

/** Must be called before the workbook's first sheet is added. */
export function withBackpressure(workbook: ExcelJS.stream.xlsx.WorkbookWriter, onZipError: (error: Error) => void): Backpressure {
  const internals = internalsOf(workbook);
  let parts: ZipPart[] = [];
  internals._openStream = (path: string) => {
    const part = new ZipPart();
    internals.zip.append(part, { name: path });
    parts.push(part);
    return part;
  };
  // Without a listener an error in the zip would be thrown from its emitter, and the parts it
  // stopped reading would keep a waiting writer until the download's time ran out.
  internals.zip.on('error', onZipError);
  const unread = () => parts.reduce((sum, part) => sum + part.unread, 0);
  return {
    async caughtUp(limit, abandoned) {
      while (!abandoned.aborted) {
        parts = parts.filter((part) => !part.readableEnded && !part.destroyed);
        if (unread() <= limit) return;
        // The zip reads the parts in the order they were opened: only the first unfinished one
        // can move. If it is waiting for XML not yet written, waiting here would never end.
        const head = parts[0];
        if (!head?.waitsOnZip) return;
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          abandoned.addEventListener('abort', stop, { once: true });
          void head.progress().then(() => {
            abandoned.removeEventListener('abort', stop);
            resolve();
          });
        });
      }
    },
  };
}
