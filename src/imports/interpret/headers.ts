import { cellText, columnLetter, type GridRow } from '../read/grid.ts';

export type ImportKind = 'commitments' | 'spend';

export const COMMITMENT_FIELDS = ['ref', 'heading', 'category', 'title', 'amount', 'status', 'decisionRef', 'approvedBy', 'serviceArea', 'notes', 'committedOn'] as const;
export const SPEND_FIELDS = [
  'date',
  'amount',
  'supplier',
  'reference',
  'costCentre',
  'lineRef',
  'description',
  'expenseArea',
  'kind',
  'supplierId',
  'expenditureCode',
  'cardTransaction',
  'paidToIndividual',
] as const;
export type CommitmentField = (typeof COMMITMENT_FIELDS)[number];
export type SpendField = (typeof SPEND_FIELDS)[number];
export type Field = CommitmentField | SpendField;

export function fieldsOf(kind: ImportKind): readonly Field[] {
  return kind === 'commitments' ? COMMITMENT_FIELDS : SPEND_FIELDS;
}

/**
 * Column headings seen in council spreadsheets and ledger exports (Oracle, Unit4, SAP), by
 * field, normalised as normalise() leaves them. Earlier fields win a heading that two could
 * take, so a commitments "line" column is the title unless "#" or "ref" is elsewhere.
 */
const SYNONYMS: Record<ImportKind, Partial<Record<Field, readonly string[]>>> = {
  commitments: {
    ref: ['#', 'ref', 'reference', 'line ref', 'line no', 'line number', 'no', 'number', 'item', 'id'],
    heading: ['heading', 'reporting heading', 'dfe heading', 'group', 'section', 'type'],
    category: ['category', 'local category', 'budget category', 'area of spend'],
    title: ['title', 'line', 'description', 'commitment', 'activity', 'proposal', 'name', 'details', 'item description'],
    amount: ['£', 'amount', 'cost', 'budget', 'value', 'allocation', 'amount £', 'cost £', 'budget £', 'total cost', 'funding', 'committed'],
    status: ['status', 'state', 'approval status'],
    decisionRef: ['decision', 'decision ref', 'decision reference', 'approval', 'approved at', 'authority'],
    approvedBy: ['approved by', 'approver', 'signed off by'],
    serviceArea: ['service area', 'service', 'directorate', 'department', 'team'],
    notes: ['notes', 'note', 'comments', 'comment', 'remarks'],
    committedOn: ['date approved', 'approved on', 'approval date', 'date of approval', 'committed on', 'date committed', 'commitment date', 'decision date', 'date of decision'],
  },
  spend: {
    date: ['date', 'payment date', 'paid on', 'transaction date', 'posting date', 'gl date', 'invoice date', 'period date'],
    amount: ['amount', '£', 'value', 'net amount', 'amount £', 'net', 'net value', 'total', 'gross amount', 'cost'],
    supplier: ['supplier', 'supplier name', 'vendor', 'vendor name', 'payee', 'beneficiary', 'creditor'],
    reference: [
      'reference',
      'ref',
      'transaction number',
      'transaction no',
      'transaction id',
      'transaction reference',
      'trans no',
      'txn',
      'invoice number',
      'invoice no',
      'document number',
      'document no',
      'doc number',
      'doc no',
      'journal number',
      'payment reference',
      'voucher',
    ],
    costCentre: ['cost centre', 'cost center', 'cost centre code', 'cc', 'cost code', 'budget code', 'account code'],
    lineRef: ['line', 'line ref', 'commitment', 'commitment ref', 'line no'],
    description: ['description', 'details', 'narrative', 'purpose', 'memo', 'text'],
    expenseArea: ['expense area', 'service area', 'department', 'directorate', 'service'],
    // What the Transparency Code's publication needs besides (see src/reports/transparency/).
    kind: ['kind', 'payment kind', 'kind of payment', 'payment type', 'spend type', 'supplier type', 'creditor type', 'vendor type', 'payee type'],
    supplierId: [
      'supplier id',
      'supplier number',
      'supplier no',
      'supplier code',
      'vendor id',
      'vendor number',
      'vendor no',
      'vendor code',
      'creditor id',
      'creditor number',
      'creditor no',
      'creditor code',
    ],
    expenditureCode: ['expenditure code', 'expense code', 'cipfa code', 'sercop code', 'subjective code', 'subjective', 'expense type code'],
    cardTransaction: ['card transaction', 'card payment', 'procurement card', 'purchase card', 'gpc', 'p card', 'pcard'],
    paidToIndividual: ['paid to individual', 'paid to an individual', 'individual payment', 'personal data', 'redact', 'redacted'],
  },
};

function normaliseHeader(text: string): string {
  return text
    .toLowerCase()
    .replace(/\(£\)|£/g, ' £ ')
    .replace(/[^a-z0-9#£]+/g, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

const contains = (text: string, words: string) => ` ${text} `.includes(` ${words} `);

/**
 * Which field a heading names: an exact synonym; else a synonym of several words inside it
 * ("Invoice number (AP)"); else a distinctive single word inside it ("Budget 2025-26 (£)").
 */
function fieldForHeader(kind: ImportKind, header: string, taken: ReadonlySet<Field>): Field | null {
  const text = normaliseHeader(header);
  if (text === '') return null;
  const candidates = (Object.entries(SYNONYMS[kind]) as [Field, readonly string[]][]).filter(([field]) => !taken.has(field));
  const passes: ((word: string) => boolean)[] = [
    (word) => word === text,
    (word) => word.includes(' ') && contains(text, word),
    (word) => (word === '£' || word.length >= 4) && contains(text, word),
  ];
  for (const matches of passes) {
    const found = candidates.find(([, words]) => words.some(matches));
    if (found) return found[0];
  }
  return null;
}

export type Mapping = Readonly<Record<string, Field>>;

export interface DetectedHeader {
  readonly column: string;
  readonly header: string;
  readonly field: Field | null;
}

export interface HeaderDetection {
  /** Index into the grid's rows of the header row, or null when none was found. */
  readonly headerIndex: number | null;
  readonly headers: readonly DetectedHeader[];
  readonly mapping: Mapping;
}

/** A column heading the organisation matched to a field before, if it did. */
export type RememberedField = (header: string) => Field | undefined;

/** A heading cell is short: a longer one is a title or a note, whatever words it uses. */
const MAX_HEADER_LENGTH = 60;

export function mapHeaders(kind: ImportKind, row: GridRow, remembered: RememberedField = () => undefined): { headers: DetectedHeader[]; mapping: Record<string, Field> } {
  const taken = new Set<Field>();
  const mapping: Record<string, Field> = {};
  const texts = row.cells.map((cell) => cellText(cell));
  // The organisation's own choices come first, so no synonym takes their field.
  const chosen = texts.map((header) => (header === '' ? undefined : remembered(header)));
  for (const field of chosen) if (field) taken.add(field);
  const headers = texts.map((header, index) => {
    const mine = chosen[index];
    const field = mine ?? (header.length > MAX_HEADER_LENGTH ? null : fieldForHeader(kind, header, taken));
    const column = columnLetter(index);
    if (field) {
      taken.add(field);
      mapping[column] = field;
    }
    return { column, header, field };
  });
  return { headers, mapping };
}

/** A title, a date or a line of prose above the table holds one text; a header row holds several. */
function headingTexts(row: GridRow): number {
  return new Set(row.cells.map((cell) => cellText(cell)).filter((text) => text !== '' && text.length <= MAX_HEADER_LENGTH)).size;
}

/** People put a title, a date or a council name above the table: look a little way down. */
const HEADER_SEARCH_ROWS = 20;

/**
 * The header row is the first near the top that names at least two fields, one of them the
 * amount (every import needs one); the best of the first rows if none does.
 */
export function detectHeaders(kind: ImportKind, rows: readonly GridRow[], remembered?: RememberedField): HeaderDetection {
  let best: { index: number; headers: DetectedHeader[]; mapping: Record<string, Field>; score: number } | null = null;
  for (const [index, row] of rows.slice(0, HEADER_SEARCH_ROWS).entries()) {
    if (headingTexts(row) < 2) continue;
    const { headers, mapping } = mapHeaders(kind, row, remembered);
    const fields = Object.values(mapping);
    const score = fields.length + (fields.includes('amount') ? 1 : 0);
    if (fields.length >= 2 && fields.includes('amount')) return { headerIndex: index, headers, mapping };
    if (fields.length > 0 && (!best || score > best.score)) best = { index, headers, mapping, score };
  }
  if (!best) return { headerIndex: null, headers: [], mapping: {} };
  return { headerIndex: best.index, headers: best.headers, mapping: best.mapping };
}

/**
 * The sheet holding the table, of a workbook's several: the one whose header row names the
 * amount and another field, with the most rows under it; the first sheet when none does.
 */
export function sheetWithTable(kind: ImportKind, sheets: readonly { readonly rows: readonly GridRow[] }[], remembered?: RememberedField): number {
  let best = { index: 0, rows: -1 };
  for (const [index, sheet] of sheets.entries()) {
    const { headerIndex, mapping } = detectHeaders(kind, sheet.rows, remembered);
    const fields = Object.values(mapping);
    if (headerIndex === null || fields.length < 2 || !fields.includes('amount')) continue;
    const below = sheet.rows.length - headerIndex - 1;
    if (below > best.rows) best = { index, rows: below };
  }
  return best.index;
}
