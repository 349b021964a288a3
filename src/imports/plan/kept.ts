import { createHash } from 'node:crypto';
import type { z } from 'zod';
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

/** Kept as columns (one array per field), which is a third of the text of one object per payment and parses faster. */
interface Kept {
  readonly v: 1;
  readonly fingerprint: string;
  readonly rows: number[];
  readonly lines: string[];
  readonly fields: Record<Field, (string | boolean | null)[]>;
}

function keptValue(field: Field, value: unknown): string | boolean | null {
  if (value === undefined || value === null) return null;
  if (FIELDS[field] === 'money') return formatMoney(value as Decimal);
  return value as string | boolean;
}

/** The plan as the import keeps it, with the fingerprint of the ledger it was read against. */
export function keepSpendPlan(entries: readonly PlannedSpend[], fingerprint: string): string {
  const fields = Object.fromEntries(FIELD_NAMES.map((field) => [field, entries.map((entry) => keptValue(field, entry.body[field]))])) as Kept['fields'];
  const kept: Kept = { v: 1, fingerprint, rows: entries.map((entry) => entry.row), lines: entries.map((entry) => entry.line.id), fields };
  return JSON.stringify(kept);
}

export interface KeptPayment {
  readonly row: number;
  readonly lineId: string;
  readonly body: SpendBody;
}

/**
 * The kept plan's payments, when it was made against `fingerprint`; null when it was made
 * against another ledger, or is not a plan this code wrote (then the commit previews afresh).
 */
export function keptSpendPlan(text: string | null, fingerprint: string): KeptPayment[] | null {
  if (text === null) return null;
  let kept: Kept;
  try {
    kept = JSON.parse(text) as Kept;
  } catch {
    return null;
  }
  if (kept?.v !== 1 || kept.fingerprint !== fingerprint || !Array.isArray(kept.rows) || !Array.isArray(kept.lines)) return null;
  const count = kept.rows.length;
  if (kept.lines.length !== count || FIELD_NAMES.some((field) => !Array.isArray(kept.fields?.[field]) || kept.fields[field].length !== count)) return null;
  const payments: KeptPayment[] = new Array(count);
  try {
    for (let index = 0; index < count; index++) {
      const body: Record<string, unknown> = {};
      for (const field of FIELD_NAMES) {
        const value = kept.fields[field][index];
        body[field] = value !== null && FIELDS[field] === 'money' ? new Decimal(value as string) : value;
      }
      // The preview checked each body with recordSpendBody before keeping it; what comes back is what it wrote.
      payments[index] = { row: kept.rows[index]!, lineId: kept.lines[index]!, body: body as SpendBody };
    }
  } catch {
    return null;
  }
  return payments;
}
