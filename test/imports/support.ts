import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import ExcelJS from 'exceljs';
import { expect } from 'vitest';
import { WORKED_EXAMPLE_LINES, WORKED_EXAMPLE_TRANCHES } from '../../src/demo/worked-example.ts';
import type { Api, ApiResponse, TestApp } from '../support/app.ts';
import { createGrant, createOrganisation, type TestOrganisation } from '../support/factories.ts';

export interface FilePart {
  readonly name: string;
  readonly content: Buffer | string;
  readonly type?: string;
}

/** A multipart/form-data body built by hand, as a browser or curl -F sends it. */
export function multipartBody(fields: Record<string, string>, file?: FilePart): { body: Buffer; contentType: string } {
  const boundary = `----ringfence${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function upload(api: Api, grantId: string, kind: string, file: FilePart, extra: Record<string, string> = {}): Promise<ApiResponse> {
  const { body, contentType } = multipartBody({ kind, ...extra }, file);
  return api.post(`/api/v1/grants/${grantId}/imports`, body, { 'content-type': contentType });
}

/** An empty grant holding the worked example's allocation (£2,210,000). */
export async function workedExampleGrant(testApp: TestApp, name: string): Promise<{ council: TestOrganisation; grantId: string }> {
  const council = await createOrganisation(testApp, name);
  const grant = await createGrant(council, [...WORKED_EXAMPLE_TRANCHES]);
  return { council, grantId: grant.id };
}

const HEADINGS: Record<string, string> = {
  transformation: 'Transformation activity',
  family_help_delivery: 'Service delivery',
  practice_workforce_ict: 'Service delivery',
  family_voice: 'Service design',
};

/** "£85,772", as the council typed it. */
export const typedPounds = (amount: string) => `£${Number(amount).toLocaleString('en-GB')}`;

export type Row = (string | number | Date | null | { formula: string; result: number })[];

/**
 * The worked example's table (docs/domain.md) as the council printed it: a title above the header; each heading typed
 * on the first line of its group only; line 12 "tbc"; and its subtotals, two of them wrong
 * (484,667 and 21,443), with a right one and a right grand total.
 */
export function workedExampleAsPrinted(money: (amount: number) => string | number | { formula: string; result: number }): Row[] {
  const rows: Row[] = [['Families First Partnership: commitments (cabinet, November 2025)'], [], ['#', 'Heading', 'Line', '£']];
  const subtotals: Record<string, [string, number]> = {
    '2': ['Sub-total transformation', 484_667],
    '12': ['Subtotal service delivery', 1_093_154],
    '14': ['Sub-total service design', 21_443],
  };
  let previousHeading = '';
  for (const line of WORKED_EXAMPLE_LINES) {
    const heading = HEADINGS[line.category]!;
    rows.push([Number(line.ref), heading === previousHeading ? null : heading, line.title, line.amount === null ? 'tbc' : money(Number(line.amount))]);
    previousHeading = heading;
    const subtotal = subtotals[line.ref];
    if (subtotal) rows.push([null, null, subtotal[0], money(subtotal[1])]);
  }
  rows.push([null, null, 'Total', money(1_619_758)]);
  return rows;
}

export async function xlsxOf(rows: Row[], sheetName = 'Commitments', extraSheets: string[] = []): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const name of extraSheets) workbook.addWorksheet(name).addRow(['nothing here']);
  const sheet = workbook.addWorksheet(sheetName);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export function csvOf(rows: (string | number | null)[][]): string {
  const quote = (value: string | number | null) => {
    const text = value === null ? '' : String(value);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `${rows.map((row) => row.map(quote).join(',')).join('\r\n')}\r\n`;
}

export async function summaryOf(api: Api, grantId: string) {
  const summary = await api.get(`/api/v1/grants/${grantId}/summary`);
  expect(summary.status).toBe(200);
  return summary.body;
}

/**
 * A zip that looks like a workbook but holds a part of `bytes` zeros: the classic bomb, a few
 * hundred kilobytes that inflate to hundreds of megabytes.
 */
export function zipBomb(bytes: number): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from('<?xml version="1.0"?><Types/>'), '[Content_Types].xml');
  zip.addBuffer(Buffer.from('<?xml version="1.0"?><workbook/>'), 'xl/workbook.xml');
  const chunk = Buffer.alloc(1024 * 1024);
  const zeros = Readable.from(
    (function* () {
      for (let sent = 0; sent < bytes; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, bytes - sent));
    })(),
  );
  zip.addReadStream(zeros, 'xl/worksheets/sheet1.xml', { size: bytes });
  zip.end();
  const parts: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (part: Buffer) => parts.push(part));
    zip.outputStream.on('end', () => resolve(Buffer.concat(parts)));
    zip.outputStream.on('error', reject);
  });
}

/** The same bomb, its directory rewritten to claim the big part is small: only inflating tells. */
export function lyingAboutSize(zip: Buffer, claimedBytes: number): Buffer {
  const patched = Buffer.from(zip);
  for (let at = patched.indexOf(CENTRAL_ENTRY); at >= 0; at = patched.indexOf(CENTRAL_ENTRY, at + 4)) {
    const nameLength = patched.readUInt16LE(at + 28);
    const name = patched.subarray(at + 46, at + 46 + nameLength).toString();
    if (name === 'xl/worksheets/sheet1.xml') patched.writeUInt32LE(claimedBytes, at + 24);
  }
  return patched;
}

const CENTRAL_ENTRY = Buffer.from([0x50, 0x4b, 0x01, 0x02]);

/**
 * Reads until `done` holds (a long commit's status, a count), every 25 ms, failing after
 * `timeoutMs` with what it waited for and the last value read. A condition, never a fixed sleep.
 */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
