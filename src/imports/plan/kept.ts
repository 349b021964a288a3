import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { timeSlices } from '../../shared/event-loop.ts';
import { Decimal, formatMoney } from '../../shared/money.ts';
import type { recordSpendBody } from '../../spend/schemas.ts';
import type { PlannedSpend, SpendLine } from '../interpret/spend-rows.ts';

type SpendBody = z.output<typeof recordSpendBody>;

/**
 * What a spend plan was read against, besides the import's own settings: the grant's lines
 * (which a row's ref or cost centre finds, and whether it is withdrawn), the cost-centre map,
 * and how many spend entries the grant holds (which payments are already in: spend is
 * append-only, so the same count is the same entries). The same basis gives the same plan,
 * since the preview is a pure function of the kept grid, the settings and these.
 */
export interface LedgerBasis {
  readonly lines: readonly SpendLine[];
  readonly costCentres: ReadonlyMap<string, string>;
  readonly spendEntries: number;
}

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

export function fingerprintOf(basis: LedgerBasis): string {
  const hash = createHash('sha256');
  for (const line of [...basis.lines].sort(byKey((line) => line.id))) hash.update(`line\u0000${line.id}\u0000${line.ref}\u0000${line.status}\n`);
  for (const [code, lineId] of [...basis.costCentres].sort(byKey(([code]) => code))) hash.update(`centre\u0000${code}\u0000${lineId}\n`);
  hash.update(`spend\u0000${basis.spendEntries}`);
  return hash.digest('hex');
}

/** Every field of a payment's body, by how it is kept; `satisfies` fails the build when the body gains a field not listed. */
const FIELDS = {
  amount: 'money',
  spentOn: 'text',
  reference: 'text',
  description: 'text',
  supplier: 'text',
  expenseArea: 'text',
  irrecoverableVat: 'money',
  merchantCategory: 'text',
  paidToIndividual: 'flag',
  kind: 'text',
  supplierId: 'text',
  expenditureCode: 'text',
  cardTransaction: 'flag',
} as const satisfies Record<keyof SpendBody, 'money' | 'text' | 'flag'>;

type Field = keyof typeof FIELDS;
const FIELD_NAMES = Object.keys(FIELDS) as Field[];

/**
 * Kept as one line of JSON for the header, then one line per thousand payments, each as
 * columns (one array per field: a third of the text of one object per payment, and parsed
 * faster). A year's ledger keeps ~13 MB, which JSON.parse would read in one piece for a few
 * hundred milliseconds of the event loop; a line at a time, the commit yields between them.
 * JSON.stringify never writes a raw newline, so lines split cleanly.
 */
interface KeptHeader {
  readonly v: 2;
  readonly fingerprint: string;
  readonly count: number;
}

interface KeptChunk {
  readonly rows: number[];
  readonly lines: string[];
  readonly fields: Record<Field, (string | boolean | null)[]>;
}

/** About a millisecond of JSON.parse a line. */
const PAYMENTS_PER_LINE = 500;

function keptValue(field: Field, value: unknown): string | boolean | null {
  if (value === undefined || value === null) return null;
  if (FIELDS[field] === 'money') return formatMoney(value as Decimal);
  return value as string | boolean;
}

/** The plan as the import keeps it, with the fingerprint of the ledger it was read against. */
export async function keepSpendPlan(entries: readonly PlannedSpend[], fingerprint: string): Promise<string> {
  const header: KeptHeader = { v: 2, fingerprint, count: entries.length };
  const lines = [JSON.stringify(header)];
  const slice = timeSlices();
  for (let start = 0; start < entries.length; start += PAYMENTS_PER_LINE) {
    await slice();
    const part = entries.slice(start, start + PAYMENTS_PER_LINE);
    const fields = Object.fromEntries(FIELD_NAMES.map((field) => [field, part.map((entry) => keptValue(field, entry.body[field]))])) as KeptChunk['fields'];
    const chunk: KeptChunk = { rows: part.map((entry) => entry.row), lines: part.map((entry) => entry.line.id), fields };
    lines.push(JSON.stringify(chunk));
  }
  return lines.join('\n');
}

export interface KeptPayment {
  readonly row: number;
  readonly lineId: string;
  readonly body: SpendBody;
}

function parsed<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** A chunk's payments, or null when it is not what keepSpendPlan writes. */
function decodeChunk(chunk: KeptChunk | null): KeptPayment[] | null {
  if (!chunk || !Array.isArray(chunk.rows) || !Array.isArray(chunk.lines)) return null;
  const count = chunk.rows.length;
  if (chunk.lines.length !== count || FIELD_NAMES.some((field) => !Array.isArray(chunk.fields?.[field]) || chunk.fields[field].length !== count)) return null;
  const payments: KeptPayment[] = new Array(count);
  try {
    for (let index = 0; index < count; index++) {
      const body: Record<string, unknown> = {};
      for (const field of FIELD_NAMES) {
        const value = chunk.fields[field][index];
        body[field] = value !== null && FIELDS[field] === 'money' ? new Decimal(value as string) : value;
      }
      // The preview checked each body with recordSpendBody before keeping it; what comes back is what it wrote.
      payments[index] = { row: chunk.rows[index]!, lineId: chunk.lines[index]!, body: body as SpendBody };
    }
  } catch {
    return null;
  }
  return payments;
}

/**
 * The kept plan's payments, when it was made against `fingerprint`; null when it was made
 * against another ledger, or is not a plan this code wrote (then the commit previews afresh).
 * Read a line at a time, yielding to other requests between them.
 */
export async function keptSpendPlan(text: string | null, fingerprint: string): Promise<KeptPayment[] | null> {
  if (text === null) return null;
  const lines = text.split('\n');
  const header = parsed<KeptHeader>(lines[0]!);
  if (header?.v !== 2 || header.fingerprint !== fingerprint || !Number.isInteger(header.count)) return null;
  const payments: KeptPayment[] = [];
  const slice = timeSlices();
  for (const line of lines.slice(1)) {
    await slice();
    const chunk = decodeChunk(parsed<KeptChunk>(line));
    if (!chunk) return null;
    for (const payment of chunk) payments.push(payment);
  }
  return payments.length === header.count ? payments : null;
}
