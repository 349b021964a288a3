import { type Decimal, formatMoney, formatMoneyOrNull, sumDecimals, ZERO } from '../../shared/money.ts';
import { forecastCaps } from './cap-forecast.ts';
import { categoryResolver } from '../interpret/categories.ts';
import { type CommitmentPlan, planCommitments } from '../interpret/commitment-rows.ts';
import { Columns, Findings } from '../interpret/findings.ts';
import { dataRows, headerRowOf } from '../interpret/rows.ts';
import { cellText, columnLetter, echo } from '../read/grid.ts';
import type { Ledger } from '../ledger.ts';
import { categoryTerms } from '../../grants/repository.ts';
import type { ImportState } from '../repository.ts';
import type { PreviewBody } from '../schemas.ts';
import { planSpend, type SpendPlan } from '../interpret/spend-rows.ts';
import { type Revision, reviseLines, revisionParts } from './revision.ts';

export type Plan = { readonly kind: 'commitments'; readonly plan: CommitmentPlan; readonly revision: Revision } | { readonly kind: 'spend'; readonly plan: SpendPlan };

export interface Previewed {
  readonly preview: PreviewBody;
  readonly plan: Plan;
}

type PlannedParts = Pick<
  PreviewBody,
  'willCreate' | 'capChecks' | 'lines' | 'entries' | 'duplicates' | 'unmatched' | 'subtotalChecks' | 'willUpdate' | 'unchanged' | 'willWithdraw' | 'headings'
>;

function commitmentParts(plan: CommitmentPlan, revision: Revision, ledger: Ledger): PlannedParts {
  const amounts = revision.newLines.map((line) => ({ category: line.category.code, amount: line.body.amount }));
  const revised = new Map(revision.amendments.map((amendment) => [amendment.line.id, amendment.after]));
  const withdrawn = new Set(revision.withdrawals.map((line) => line.id));
  return {
    willCreate: {
      count: revision.newLines.length,
      total: formatMoney(sumDecimals(amounts.flatMap((line) => (line.amount ? [line.amount] : [])))),
      tbc: amounts.filter((line) => line.amount === null).length,
    },
    capChecks: forecastCaps(ledger.grant, ledger.lines, { kind: 'lines', amounts, revised, withdrawn }),
    lines: revision.newLines.map(({ row, body, category }) => ({
      row,
      ref: body.ref === undefined ? null : echo(body.ref),
      title: echo(body.title),
      category: category.code,
      heading: category.heading,
      amount: formatMoneyOrNull(body.amount),
      status: body.status,
    })),
    entries: [],
    duplicates: [],
    unmatched: [],
    subtotalChecks: [...plan.checks],
    ...revisionParts(revision),
    headings: [...plan.headings],
  };
}

function spendParts(plan: SpendPlan, ledger: Ledger): PlannedParts {
  const byLine = new Map<string, Decimal>();
  for (const entry of plan.entries) byLine.set(entry.line.id, (byLine.get(entry.line.id) ?? ZERO).plus(entry.body.amount));
  return {
    willCreate: { count: plan.entries.length, total: formatMoney(sumDecimals(plan.entries.map((entry) => entry.body.amount))), tbc: 0 },
    capChecks: forecastCaps(ledger.grant, ledger.lines, { kind: 'spend', byLine }),
    lines: [],
    entries: plan.entries.map(({ row, line, costCentre, body }) => ({
      row,
      commitmentId: line.id,
      lineRef: echo(line.ref),
      spentOn: body.spentOn,
      amount: formatMoney(body.amount),
      reference: body.reference === null || body.reference === undefined ? null : echo(body.reference),
      supplier: body.supplier ? echo(body.supplier) : null,
      description: body.description ? echo(body.description) : null,
      costCentre: costCentre === null ? null : echo(costCentre),
    })),
    duplicates: [...plan.duplicates],
    unmatched: [...plan.unmatched],
    subtotalChecks: [...plan.checks],
    willUpdate: [],
    unchanged: [],
    willWithdraw: [],
    headings: [],
  };
}

function cappedCategories(ledger: Ledger): Set<string> {
  return new Set(ledger.grant.categories.flatMap((category) => (categoryTerms(ledger.grant, category).cap === null ? [] : [category.code])));
}

/**
 * Reads the stored grid under the current mapping against the ledger as it stands: what would
 * be created, what is wrong (row and column), and what the printed totals say. Pure: the same
 * function runs for the preview and, under the grant lock, for the commit.
 */
export function buildPreview(state: ImportState, ledger: Ledger, sameFile: PreviewBody['sameFile']): Previewed {
  const header = headerRowOf(state);
  const columns = new Columns(state.mapping, header);
  const findings = new Findings();
  const rows = dataRows(state);
  const above = state.headerRow === null ? [] : state.grid.rows.filter((row) => row.row < state.headerRow!).map((row) => row.row);
  for (const row of above) findings.note(row, `Rows above the header row (row ${state.headerRow}) were taken for a title or notes, and not read.`);
  if (state.grid.sheets.length > 1 && state.grid.sheet !== null) {
    findings.note(
      null,
      `Read the sheet "${echo(state.grid.sheet)}", which holds the table; the workbook's sheets are ${state.grid.sheets.map(echo).join(', ')}. To import another, upload the file again naming its sheet.`,
    );
  }
  let plan: Plan;
  let parts: PlannedParts;
  if (state.kind === 'commitments') {
    const updating = state.mode === 'update';
    const existingRefs = new Set(updating ? [] : ledger.lines.map((line) => line.ref));
    const categories = new Map(ledger.grant.categories.map((category) => [category.code, category]));
    // A remembered choice naming a category this grant does not have is left out, not guessed at.
    const sectionChoices = new Map(Object.entries(state.headingChoices).flatMap(([row, code]) => (categories.has(code) ? [[Number(row), categories.get(code)!] as const] : [])));
    const commitmentPlan = planCommitments(
      rows,
      columns,
      { financialYear: ledger.grant.financialYear, resolver: categoryResolver(ledger.grant.categories), existingRefs, sectionChoices },
      findings,
    );
    const revision: Revision = updating
      ? reviseLines(commitmentPlan.lines, ledger.lines, { withdrawMissing: state.withdrawMissing ?? false, capped: cappedCategories(ledger) }, columns, findings)
      : { amendments: [], unchanged: [], withdrawals: [], newLines: commitmentPlan.lines };
    plan = { kind: 'commitments', plan: commitmentPlan, revision };
    parts = commitmentParts(commitmentPlan, revision, ledger);
  } else {
    const spendPlan = planSpend(
      rows,
      columns,
      {
        financialYear: ledger.grant.financialYear,
        lines: ledger.lines.map((line) => ({ id: line.id, ref: line.ref, status: line.status })),
        costCentres: ledger.costCentres,
        assignments: state.assignments,
        existing: ledger.existingSpend,
      },
      findings,
    );
    plan = { kind: 'spend', plan: spendPlan };
    parts = spendParts(spendPlan, ledger);
  }
  const width = rows.reduce((widest, row) => Math.max(widest, row.cells.length), header?.cells.length ?? 0);
  const preview: PreviewBody = {
    kind: state.kind,
    fileName: echo(state.fileName),
    fileType: state.fileType,
    sheet: state.grid.sheet === null ? null : echo(state.grid.sheet),
    sheets: state.grid.sheets.map(echo),
    headerRow: state.headerRow,
    detectedHeaders: Array.from({ length: width }, (_, index) => {
      const column = columnLetter(index);
      return { column, header: echo(cellText(header?.cells[index])), field: state.mapping[column] ?? null };
    }),
    mapping: { ...state.mapping },
    assignments: { ...state.assignments },
    rows: rows.length,
    problems: findings.problems,
    problemCount: findings.problemCount,
    notes: findings.noteList(),
    ...parts,
    canCommit: findings.problemCount === 0 && parts.capChecks.every((check) => check.fits) && parts.willCreate.count + parts.willUpdate.length + parts.willWithdraw.length > 0,
    sameFile,
  };
  return { preview, plan };
}
