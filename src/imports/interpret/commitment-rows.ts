import type { z } from 'zod';
import { committedOnOutsideYear } from '../../commitments/committed-on.ts';
import { createCommitmentBody } from '../../commitments/schemas.ts';
import { type Decimal, formatMoney } from '../../shared/money.ts';
import { readAmount } from './amounts.ts';
import { type CategoryMatch, type CategoryResolver, type CategoryTarget } from './categories.ts';
import { type Columns, type Findings, fileWideProblem } from './findings.ts';
import { readDate } from './dates.ts';
import { cellText, echo, type GridRow } from '../read/grid.ts';
import type { CommitmentField } from './headers.ts';
import { type CarriedHeading, type LineCategory, resolveLineCategory } from './line-category.ts';
import { readTotalLabel, type SubtotalCheck, SubtotalTracker, type TotalScope } from './subtotals.ts';

export interface PlannedLine {
  readonly row: number;
  readonly body: z.output<typeof createCommitmentBody>;
  readonly category: LineCategory;
}

/** A council's own section row above a group of lines, and the category it was matched to. */
export interface SectionHeading {
  readonly row: number;
  readonly text: string;
  readonly category: string | null;
}

export interface CommitmentPlan {
  readonly lines: readonly PlannedLine[];
  readonly checks: readonly SubtotalCheck[];
  readonly headings: readonly SectionHeading[];
}

const LABEL_FIELDS: readonly CommitmentField[] = ['ref', 'heading', 'category', 'title'];
/** Rows under a committee table that are not lines: the allocation and what is left of it. */
const SUMMARY_LABEL = /^(balance|allocation|remaining|uncommitted|unallocated|left to commit|grant allocation|total allocation)\b/i;

const APPROVED = /^(approved|agreed|signed off|confirmed|committed|yes)$/i;
const PROPOSED = /^(proposed|planned|draft|pending|to be approved|awaiting approval|no)$/i;

/** "1", "1.", "#1" and " T1 " are the refs 1 and T1. */
export function normaliseRef(text: string): string {
  return text.trim().replace(/^#\s*/, '').replace(/\.$/, '');
}

const FIELD_OF_PATH: Record<string, CommitmentField> = {
  ref: 'ref',
  title: 'title',
  amount: 'amount',
  status: 'status',
  decisionRef: 'decisionRef',
  approvedBy: 'approvedBy',
  serviceArea: 'serviceArea',
  notes: 'notes',
  category: 'category',
  committedOn: 'committedOn',
};

export interface CommitmentLedger {
  /** The grant's year, which a line's date approved must fall in. */
  readonly financialYear: string;
  readonly resolver: CategoryResolver;
  /** Refs a new line may not take; empty for a revised table, whose rows are matched to lines instead. */
  readonly existingRefs: ReadonlySet<string>;
  /** Section rows whose category the person chose (or the organisation chose before): row → category. */
  readonly sectionChoices: ReadonlyMap<number, CategoryTarget>;
}

/** A ref as people number lines: "12", "12a", "T1", "#3", "SD-4". */
const REF_LIKE = /^#?\s*[A-Za-z]{0,3}[-\s]?\d{1,4}[A-Za-z]?\.?$/;

/** The one text of a row that holds nothing else (a heading merged across shows once), and its column. */
export function loneText(row: GridRow): { text: string; index: number } | null {
  const filled = row.cells.flatMap((cell, index) => (cell && cellText(cell) !== '' ? [{ cell, text: cellText(cell), index }] : []));
  const [first] = filled;
  if (!first || first.cell.t !== 's' || filled.some((each) => each.text !== first.text)) return null;
  return REF_LIKE.test(first.text) ? null : { text: first.text, index: first.index };
}

/** Long headings are quoted by their start in messages. */
function brief(text: string): string {
  const shown = echo(text);
  return shown.length > 80 ? `${shown.slice(0, 77).trimEnd()}…` : shown;
}

/**
 * Reads a commitments table typed by a person: lines, the headings they sit under (in a column,
 * or as a row of their own above the group), and the subtotals and totals between them, which
 * are never imported as lines but checked against the lines they stand for.
 */
export function planCommitments(rows: readonly GridRow[], columns: Columns, ledger: CommitmentLedger, findings: Findings): CommitmentPlan {
  const lines: PlannedLine[] = [];
  const checks: SubtotalCheck[] = [];
  const headings: SectionHeading[] = [];
  if (!columns.has('title') || !columns.has('amount')) {
    findings.add(fileWideProblem('No column is mapped to the line title and the amount; both are needed. Set the mapping and preview again.'));
    return { lines, checks, headings };
  }
  const tracker = new SubtotalTracker();
  const seenRefs = new Map<string, number>();
  /** The heading a line with none of its own sits under: from a heading row or the line above. */
  let carried: CarriedHeading | null = null;

  /**
   * A row holding only one text and no amount is a section heading when the person chose its
   * category, when it is not in the title column, when the table numbers its lines (a line
   * would have its number), or when it is a category's or heading's exact name.
   */
  const sectionOf = (row: GridRow, ref: string, withFigure: boolean): { text: string; index: number; match: CategoryMatch } | null => {
    const amountIndex = columns.indexOf('amount');
    const lone = loneText(withFigure ? { ...row, cells: row.cells.map((cell, index) => (index === amountIndex ? null : cell)) } : row);
    if (!lone) return null;
    const inTitle = columns.indexOf('title') === lone.index;
    // A heading with a figure beside it is its group's total printed at the top: only a
    // heading outside the title column is taken for one, since a line may lack its number.
    if (withFigure && inTitle) return null;
    const chosen = ledger.sectionChoices.get(row.row);
    if (chosen) return { ...lone, match: { kind: 'category', category: chosen } };
    const numbered = columns.has('ref') && ref === '';
    if (inTitle && !numbered && ledger.resolver.exact(lone.text).kind === 'none') return null;
    return { ...lone, match: ledger.resolver.section(lone.text) };
  };

  /** A group's total printed on its heading row, checked when the group ends. */
  let headingTotal: { row: number; label: string; printed: Decimal } | null = null;
  const checkHeadingTotal = () => {
    if (headingTotal) checks.push(tracker.checkGroupSoFar(headingTotal.row, headingTotal.label, headingTotal.printed));
    headingTotal = null;
  };

  const checkTotal = (row: GridRow, label: string, scope: TotalScope) => {
    checkHeadingTotal();
    const printed = readAmount(columns.cell(row, 'amount'));
    carried = null;
    if (printed.kind === 'invalid') return findings.add(columns.problem(row, 'amount', printed.message));
    if (printed.kind !== 'amount') return findings.note(row.row, `"${echo(label)}" has no figure to check.`);
    checks.push(tracker.check(row.row, label, printed.amount, scope));
  };

  for (const row of rows) {
    const ref = normaliseRef(columns.text(row, 'ref'));
    const title = columns.text(row, 'title');
    const amount = readAmount(columns.cell(row, 'amount'));
    const labels = [...LABEL_FIELDS.map((field) => columns.text(row, field)), ...columns.otherTexts(row, [...LABEL_FIELDS, 'amount'])].filter((text) => text !== '');

    const totalLabel = labels.find((text) => readTotalLabel(text) && (ref === '' || normaliseRef(text) === ref));
    if (totalLabel !== undefined) {
      const { kind, rest } = readTotalLabel(totalLabel)!;
      const scope = scopeFor(ledger.resolver, rest, { kind: kind === 'total' ? 'all' : 'group' });
      checkTotal(row, totalLabel, scope);
      continue;
    }
    if (ref === '' && labels.some((text) => SUMMARY_LABEL.test(text))) {
      findings.note(row.row, 'Rows that give the allocation or the balance are not lines; they were skipped.');
      continue;
    }
    // A heading typed on a row of its own (in whichever column, of any length) sets the group below it.
    const section = amount.kind === 'blank' || amount.kind === 'amount' ? sectionOf(row, ref, amount.kind === 'amount') : null;
    if (section) {
      checkHeadingTotal();
      if (amount.kind === 'amount') headingTotal = { row: row.row, label: `${brief(section.text)} (its total)`, printed: amount.amount };
      const { match } = section;
      const matched = match.kind === 'category' || match.kind === 'heading' ? match.category : null;
      headings.push({ row: row.row, text: echo(section.text), category: matched?.code ?? null });
      carried = { text: section.text, match, sectionRow: row.row };
      tracker.startGroup();
      if (matched) {
        findings.note(row.row, 'Rows holding only a heading were read as section headings: the lines below each one go into the category it names.');
      } else {
        const could = match.kind === 'ambiguous' ? ` (it could be ${match.candidates.join(' or ')})` : '';
        findings.add(
          columns.problemAt(
            row,
            section.index,
            `"${brief(section.text)}" was read as a section heading, but it does not say which of this grant's categories its lines are in${could}. ` +
              'Choose its category under "Section headings" below (through the API: POST /api/v1/imports/{id}/mapping), and the lines below it follow.',
          ),
        );
      }
      continue;
    }
    if (ref === '' && title === '' && amount.kind === 'amount') {
      const name = columns.text(row, 'category') || columns.text(row, 'heading');
      checkTotal(row, name ? `Sub-total ${name}` : 'Sub-total (unlabelled)', scopeFor(ledger.resolver, name, { kind: 'unlabelled' }));
      continue;
    }

    const problemsBefore = findings.problemCount;
    const category = resolveLineCategory(row, columns, ledger.resolver, carried, findings);
    const own = columns.text(row, 'category') || columns.text(row, 'heading');
    if (own) carried = { text: own, match: ledger.resolver.resolve(own), sectionRow: null };

    let lineAmount: Decimal | null = null;
    if (amount.kind === 'invalid') findings.add(columns.problem(row, 'amount', amount.message));
    if (amount.kind === 'amount' && amount.amount.isNegative()) {
      findings.add(
        columns.problem(
          row,
          'amount',
          `reads as minus ${formatMoney(amount.amount.negated())} (brackets or a minus sign); a line's amount cannot be negative. ` +
            'Type it without them, or, if this row is a total, clear its line number and title so it is checked as one',
        ),
      );
    } else if (amount.kind === 'amount') {
      lineAmount = amount.amount;
    }
    if (amount.kind === 'blank') findings.note(row.row, 'Lines with no amount were read as tbc.');
    tracker.addLine({ row: row.row, amount: lineAmount, group: category?.heading ?? carried?.text ?? '', category: category?.code ?? null });

    if (ref !== '') {
      if (ledger.existingRefs.has(ref)) {
        findings.add(columns.problem(row, 'ref', `line ${echo(ref)} already exists in this grant; to change existing lines, upload the file as a revised table (mode=update)`));
      }
      const earlier = seenRefs.get(ref);
      if (earlier !== undefined) findings.add(columns.problem(row, 'ref', `line ${echo(ref)} is also on row ${earlier}`));
      seenRefs.set(ref, row.row);
    }
    if (title === '') findings.add(columns.problem(row, 'title', 'is empty; every line needs a title'));
    const status = columns.text(row, 'status');
    if (status !== '' && !APPROVED.test(status) && !PROPOSED.test(status)) {
      findings.add(columns.problem(row, 'status', `"${echo(status)}" is not a status; write approved or proposed`));
    }

    const committedOn = readCommittedOn(row, columns, ledger.financialYear, findings);

    const parsed = createCommitmentBody.safeParse({
      ref: ref || undefined,
      title,
      category: category?.code ?? 'unknown',
      amount: lineAmount === null ? null : formatMoney(lineAmount),
      status: APPROVED.test(status) ? 'approved' : 'proposed',
      decisionRef: columns.text(row, 'decisionRef') || undefined,
      approvedBy: columns.text(row, 'approvedBy') || undefined,
      serviceArea: columns.text(row, 'serviceArea') || undefined,
      notes: columns.text(row, 'notes') || undefined,
      committedOn,
    });
    if (!parsed.success) {
      const issues = parsed.error.issues.filter((issue) => issue.path[0] !== 'title' || title !== '');
      for (const problem of columns.schemaProblems(row, issues, (path) => FIELD_OF_PATH[path] ?? null)) findings.add(problem);
    }
    if (parsed.success && category && findings.problemCount === problemsBefore) lines.push({ row: row.row, body: parsed.data, category });
  }
  checkHeadingTotal();
  checks.sort((a, b) => a.row - b.row);
  return { lines, checks, headings };
}

/**
 * The date approved, when the file has one: any date a ledger export writes, within the grant's
 * year. An empty cell leaves the line to be dated as hand entry dates it.
 */
function readCommittedOn(row: GridRow, columns: Columns, financialYear: string, findings: Findings): string | undefined {
  if (!columns.has('committedOn') || columns.text(row, 'committedOn') === '') return undefined;
  const date = readDate(columns.cell(row, 'committedOn'));
  if (!date.ok) {
    findings.add(columns.problem(row, 'committedOn', date.message));
    return undefined;
  }
  const outside = committedOnOutsideYear(financialYear, date.iso);
  if (outside) {
    findings.add(columns.problem(row, 'committedOn', `${date.iso} is outside the grant's financial year ${financialYear} (${outside.firstDay} to ${outside.lastDay})`));
    return undefined;
  }
  return date.iso;
}

/** "Sub-total transformation" covers the lines since the last total that the name takes in. */
function scopeFor(resolver: CategoryResolver, name: string, otherwise: TotalScope): TotalScope {
  const match = name === '' ? null : resolver.resolve(name);
  if (match?.kind === 'category') return { kind: 'named', covers: (line) => line.category === match.category.code };
  if (match?.kind === 'heading') return { kind: 'named', covers: (line) => line.group === match.heading };
  return otherwise;
}
