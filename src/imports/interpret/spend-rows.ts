import type { z } from 'zod';
import { financialYearBounds } from '../../shared/calendar.ts';
import { type Decimal, formatMoney } from '../../shared/money.ts';
import { recordSpendBody } from '../../spend/schemas.ts';
import { readAmount } from './amounts.ts';
import { normaliseRef } from './commitment-rows.ts';
import { readDate } from './dates.ts';
import { readSpendKind, readYesNo } from './spend-kinds.ts';
import { type Columns, type Findings, fileWideProblem } from './findings.ts';
import { echo, type GridRow } from '../read/grid.ts';
import type { SpendField } from './headers.ts';
import { readTotalLabel, type SubtotalCheck, SubtotalTracker } from './subtotals.ts';

export interface SpendLine {
  readonly id: string;
  readonly ref: string;
  readonly status: string;
}

export interface SpendLedger {
  readonly financialYear: string;
  readonly lines: readonly SpendLine[];
  /** The council's cost centre codes (upper case) and the line each one's spend belongs to. */
  readonly costCentres: ReadonlyMap<string, string>;
  /** Rows the person assigned to a line by hand: row number → line id. */
  readonly assignments: Readonly<Record<string, string>>;
  /** How many entries the grant already holds for each reference and amount (see spendKey). */
  readonly existing: ReadonlyMap<string, number>;
}

export interface PlannedSpend {
  readonly row: number;
  readonly line: SpendLine;
  readonly costCentre: string | null;
  readonly body: z.output<typeof recordSpendBody>;
}

export interface SkippedSpend {
  readonly row: number;
  readonly reference: string;
  readonly amount: string;
}

export interface UnmatchedSpend extends SkippedSpend {
  readonly costCentre: string | null;
  readonly lineRef: string | null;
}

export interface SpendPlan {
  readonly entries: readonly PlannedSpend[];
  readonly duplicates: readonly SkippedSpend[];
  readonly unmatched: readonly UnmatchedSpend[];
  readonly checks: readonly SubtotalCheck[];
}

/** An entry already in the ledger is the same payment when its reference and amount agree. */
export function spendKey(reference: string, amount: Decimal | string): string {
  return `${reference.trim().toUpperCase()}\u0000${typeof amount === 'string' ? amount : formatMoney(amount)}`;
}

export function costCentreCode(text: string): string {
  return text.trim().toUpperCase();
}

const FIELD_OF_PATH: Record<string, SpendField> = {
  amount: 'amount',
  spentOn: 'date',
  reference: 'reference',
  description: 'description',
  supplier: 'supplier',
  expenseArea: 'expenseArea',
  supplierId: 'supplierId',
  expenditureCode: 'expenditureCode',
};

/**
 * Reads a ledger export: each payment is matched to a line (a row assigned by hand, else its
 * line ref, else its cost centre through the council's mapping); a payment the grant already
 * holds (same reference and amount) is skipped, as many times as it is held, so importing a
 * file twice records its spend once; a total row at the foot is checked, not imported.
 */
export function planSpend(rows: readonly GridRow[], columns: Columns, ledger: SpendLedger, findings: Findings): SpendPlan {
  const plan: { entries: PlannedSpend[]; duplicates: SkippedSpend[]; unmatched: UnmatchedSpend[]; checks: SubtotalCheck[] } = {
    entries: [],
    duplicates: [],
    unmatched: [],
    checks: [],
  };
  const missing: string[] = (['date', 'amount', 'reference'] as const).filter((field) => !columns.has(field));
  if (!columns.has('costCentre') && !columns.has('lineRef') && Object.keys(ledger.assignments).length === 0) missing.push('costCentre or lineRef');
  if (missing.length > 0) {
    findings.add(fileWideProblem(`No column is mapped to ${missing.join(', ')}; a spend import needs them. Set the mapping and preview again.`));
    return plan;
  }
  const { firstDay, lastDay } = financialYearBounds(ledger.financialYear);
  const byRef = new Map(ledger.lines.map((line) => [line.ref.toUpperCase(), line]));
  const byId = new Map(ledger.lines.map((line) => [line.id, line]));
  const existing = new Map(ledger.existing);
  const tracker = new SubtotalTracker();

  for (const row of rows) {
    const reference = columns.text(row, 'reference');
    const dateText = columns.text(row, 'date');
    const amount = readAmount(columns.cell(row, 'amount'));
    const label = reference === '' && dateText === '' ? columns.otherTexts(row, ['amount', 'date']).find((text) => readTotalLabel(text)) : undefined;
    if (label !== undefined) {
      if (amount.kind === 'amount') plan.checks.push(tracker.check(row.row, label, amount.amount, { kind: 'all' }));
      continue;
    }
    // A figure alone at the foot, with no date, reference or anything else, is the export's total.
    if (reference === '' && dateText === '' && amount.kind === 'amount' && row.cells.filter((cell) => cell && cell.v.trim() !== '').length === 1) {
      plan.checks.push(tracker.check(row.row, 'Total (unlabelled)', amount.amount, { kind: 'all' }));
      continue;
    }
    const problemsBefore = findings.problemCount;
    const date = readDate(columns.cell(row, 'date'));
    if (!date.ok) findings.add(columns.problem(row, 'date', date.message));
    else if (date.iso < firstDay || date.iso > lastDay) {
      findings.add(columns.problem(row, 'date', `${date.iso} is outside the grant's financial year ${ledger.financialYear} (${firstDay} to ${lastDay})`));
    }
    if (amount.kind === 'blank') findings.add(columns.problem(row, 'amount', 'is empty; every payment needs its amount'));
    if (amount.kind === 'tbc') findings.add(columns.problem(row, 'amount', 'says tbc; spend is what was paid, so it needs the amount'));
    if (amount.kind === 'invalid') findings.add(columns.problem(row, 'amount', amount.message));
    if (reference === '') findings.add(columns.problem(row, 'reference', 'is empty; the transaction number is how a second import of this file knows the payment is already in'));
    if (amount.kind !== 'amount') continue;
    tracker.addLine({ row: row.row, amount: amount.amount, group: '', category: null });
    if (amount.amount.isZero()) {
      findings.note(row.row, 'Rows with a zero amount record nothing; they were skipped.');
      continue;
    }
    if (reference !== '') {
      const key = spendKey(reference, amount.amount);
      const held = existing.get(key) ?? 0;
      if (held > 0) {
        existing.set(key, held - 1);
        plan.duplicates.push({ row: row.row, reference: echo(reference), amount: formatMoney(amount.amount) });
        continue;
      }
    }

    const costCentre = columns.text(row, 'costCentre');
    const lineRef = normaliseRef(columns.text(row, 'lineRef'));
    const assigned = ledger.assignments[String(row.row)];
    let line: SpendLine | undefined;
    if (assigned !== undefined) {
      line = byId.get(assigned);
      if (!line) findings.add({ row: row.row, column: null, header: null, message: 'is assigned to a line that is not in this grant' });
    } else if (lineRef !== '') {
      line = byRef.get(lineRef.toUpperCase());
      if (!line) findings.add(columns.problem(row, 'lineRef', `there is no line ${echo(lineRef)} in this grant`));
    } else {
      const mapped = costCentre === '' ? undefined : ledger.costCentres.get(costCentreCode(costCentre));
      line = mapped === undefined ? undefined : byId.get(mapped);
      if (!line) {
        const why = costCentre === '' ? 'is empty, so this payment matches no line' : `${echo(costCentre)} is not mapped to a line of this grant`;
        findings.add(columns.problem(row, columns.has('costCentre') ? 'costCentre' : 'lineRef', `${why}: map the cost centre to a line, or assign this row`));
        plan.unmatched.push({
          row: row.row,
          reference: echo(reference),
          amount: formatMoney(amount.amount),
          costCentre: costCentre === '' ? null : echo(costCentre),
          lineRef: null,
        });
      }
    }
    if (line?.status === 'withdrawn')
      findings.add(columns.problem(row, columns.has('lineRef') ? 'lineRef' : 'costCentre', `line ${echo(line.ref)} is withdrawn; spend cannot be recorded against it`));

    const kind = readSpendKind(columns.text(row, 'kind'));
    if (!kind.ok) findings.add(columns.problem(row, 'kind', kind.message));
    const card = readYesNo(columns.text(row, 'cardTransaction'));
    if (!card.ok) findings.add(columns.problem(row, 'cardTransaction', card.message));
    const individual = readYesNo(columns.text(row, 'paidToIndividual'));
    if (!individual.ok) findings.add(columns.problem(row, 'paidToIndividual', individual.message));

    const parsed = recordSpendBody.safeParse({
      amount: formatMoney(amount.amount),
      spentOn: date.ok ? date.iso : '',
      reference,
      description: columns.text(row, 'description') || undefined,
      supplier: columns.text(row, 'supplier') || undefined,
      expenseArea: columns.text(row, 'expenseArea') || undefined,
      kind: kind.ok ? kind.value : undefined,
      supplierId: columns.text(row, 'supplierId') || undefined,
      expenditureCode: columns.text(row, 'expenditureCode') || undefined,
      cardTransaction: card.ok && card.value,
      paidToIndividual: individual.ok && individual.value,
    });
    if (!parsed.success) {
      const issues = parsed.error.issues.filter((issue) => issue.path[0] !== 'spentOn');
      for (const problem of columns.schemaProblems(row, issues, (path) => FIELD_OF_PATH[path] ?? null)) findings.add(problem);
    }
    if (parsed.success && line && findings.problemCount === problemsBefore) {
      plan.entries.push({ row: row.row, line, costCentre: costCentre === '' ? null : costCentreCode(costCentre), body: parsed.data });
    }
  }
  return plan;
}
