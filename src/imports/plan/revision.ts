import type { z } from 'zod';
import { etagOf } from '../../commitments/schemas.ts';
import type { Commitment } from '../../commitments/repository.ts';
import type { updateCommitmentBody } from '../../commitments/schemas.ts';
import { exposureOf } from '../../conditions/rules.ts';
import { type Decimal, formatMoneyOrNull, formatPounds } from '../../shared/money.ts';
import type { PlannedLine } from '../interpret/commitment-rows.ts';
import type { Columns, Findings } from '../interpret/findings.ts';
import type { CommitmentField } from '../interpret/headers.ts';
import { Problem } from '../../shared/problems.ts';
import { echo } from '../read/grid.ts';
import type { PreviewBody } from '../schemas.ts';
import type { RevisedLine } from './cap-forecast.ts';

export interface Amendment {
  readonly row: number;
  /** The line as the preview saw it: its version is the If-Match of the amendment. */
  readonly line: Commitment;
  readonly body: z.output<typeof updateCommitmentBody>;
  readonly after: RevisedLine;
  /** Adds exposure to a capped category: such amendments run after the ones that free room. */
  readonly addsExposure: boolean;
  readonly changes: PreviewBody['willUpdate'][number]['changes'];
}

/** What a commitments file does to the grant's lines: in create mode, only new lines. */
export interface Revision {
  readonly amendments: readonly Amendment[];
  readonly unchanged: readonly { readonly row: number; readonly line: Commitment }[];
  readonly withdrawals: readonly Commitment[];
  readonly newLines: readonly PlannedLine[];
}

export interface RevisionOptions {
  readonly withdrawMissing: boolean;
  /** The grant's categories with a cap. */
  readonly capped: ReadonlySet<string>;
}

/** Columns a new line takes from its row but an existing line keeps as it is. */
const NEW_LINE_ONLY: readonly CommitmentField[] = ['status', 'decisionRef', 'approvedBy', 'serviceArea', 'notes', 'committedOn'];

/** "Family  Hubs " and "family hubs" are one title. */
const titleKey = (title: string) => title.trim().replace(/\s+/g, ' ').toLowerCase();

function sameAmount(a: Decimal | null, b: Decimal | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/**
 * Matches a revised table's rows to the grant's lines: by ref when the row has one (a ref the
 * grant does not hold is a new line), else by title, case and spacing aside, among the live
 * lines. Each matched row amends its line's amount, title and category, or leaves it as it is;
 * the other columns apply only to new lines. With withdrawMissing, the live lines no row
 * matched are withdrawn.
 */
export function reviseLines(planned: readonly PlannedLine[], existing: readonly Commitment[], options: RevisionOptions, columns: Columns, findings: Findings): Revision {
  const byRef = new Map(existing.map((line) => [line.ref, line]));
  const byTitle = new Map<string, Commitment[]>();
  for (const line of existing) {
    if (line.status === 'withdrawn') continue;
    byTitle.set(titleKey(line.title), [...(byTitle.get(titleKey(line.title)) ?? []), line]);
  }
  const matchedAt = new Map<string, number>();
  const amendments: Amendment[] = [];
  const unchanged: { row: number; line: Commitment }[] = [];
  const newLines: PlannedLine[] = [];
  const problem = (at: PlannedLine, field: 'ref' | 'title', message: string) => findings.add(columns.problem({ row: at.row, cells: [] }, field, message));

  for (const row of planned) {
    const field = row.body.ref === undefined ? 'title' : 'ref';
    let line: Commitment | undefined;
    if (row.body.ref !== undefined) {
      line = byRef.get(row.body.ref);
      if (line?.status === 'withdrawn') {
        problem(row, 'ref', `line ${echo(line.ref)} is withdrawn and cannot be changed; leave the row out, or give it a ref of its own to add it as a new line`);
        continue;
      }
    } else {
      const candidates = byTitle.get(titleKey(row.body.title)) ?? [];
      if (candidates.length > 1) {
        problem(
          row,
          'title',
          `matches ${candidates.length} lines of this grant (${candidates.map((c) => echo(c.ref)).join(', ')}); add a ref column saying which line this row is`,
        );
        continue;
      }
      line = candidates[0];
    }
    if (!line) {
      newLines.push(row);
      continue;
    }
    const earlier = matchedAt.get(line.id);
    if (earlier !== undefined) {
      problem(row, field, `is line ${echo(line.ref)}, as row ${earlier} is; a revised table lists each line once`);
      continue;
    }
    matchedAt.set(line.id, row.row);
    const amendment = amendmentOf(row, line, options.capped);
    if (amendment) amendments.push(amendment);
    else unchanged.push({ row: row.row, line });
  }

  const ignored = NEW_LINE_ONLY.filter((field) => columns.has(field));
  if (ignored.length > 0 && amendments.length + unchanged.length > 0) {
    findings.note(null, `A revised table changes the amount, title and category of the lines it matches; its other columns (${ignored.join(', ')}) are read for new lines only.`);
  }

  const withdrawals = options.withdrawMissing ? existing.filter((line) => line.status !== 'withdrawn' && !matchedAt.has(line.id)) : [];
  for (const line of withdrawals) {
    if (line.spent.isZero()) continue;
    findings.add({
      row: null,
      column: null,
      header: null,
      message:
        `Line ${echo(line.ref)} ("${echo(line.title)}") is not in the file, but ${formatPounds(line.spent)} has been spent on it, so it cannot be withdrawn: ` +
        'keep its row in the file, or record a correction (a negative spend entry) first.',
    });
  }
  return { amendments, unchanged, withdrawals, newLines };
}

function amendmentOf(row: PlannedLine, line: Commitment, capped: ReadonlySet<string>): Amendment | null {
  const { amount, title } = row.body;
  // A heading that covers several categories says nothing against the one the line is in.
  const category = row.category.code !== line.category && !row.category.headingCovers?.includes(line.category) ? row.category.code : line.category;
  const changes: Amendment['changes'] = {};
  const body: Amendment['body'] = {};
  if (!sameAmount(amount, line.amount)) {
    changes.amount = { before: formatMoneyOrNull(line.amount), after: formatMoneyOrNull(amount) };
    body.amount = amount;
  }
  if (titleKey(title) !== titleKey(line.title)) {
    changes.title = { before: echo(line.title), after: echo(title) };
    body.title = title;
  }
  if (category !== line.category) {
    changes.category = { before: line.category, after: category };
    body.category = category;
  }
  if (Object.keys(changes).length === 0) return null;
  const after = exposureOf({ amount, spent: line.spent });
  const addsExposure = capped.has(category) && (category !== line.category ? after.greaterThan(0) : after.greaterThan(exposureOf(line)));
  return { row: row.row, line, body, after: { category, amount }, addsExposure, changes };
}

/** The preview's account of a revision: what each existing line becomes, as it stood when previewed. */
export function revisionParts(revision: Revision): Pick<PreviewBody, 'willUpdate' | 'unchanged' | 'willWithdraw'> {
  const existing = (line: Commitment) => ({
    commitmentId: line.id,
    ref: echo(line.ref),
    title: echo(line.title),
    amount: formatMoneyOrNull(line.amount),
    version: line.version,
  });
  return {
    willUpdate: revision.amendments.map(({ row, line, changes }) => ({ row, commitmentId: line.id, ref: echo(line.ref), title: echo(line.title), version: line.version, changes })),
    unchanged: revision.unchanged.map(({ row, line }) => ({ row, ...existing(line) })),
    willWithdraw: revision.withdrawals.map(existing),
  };
}

interface Listed {
  readonly ref: string;
  readonly version: number;
  readonly row: number | null;
}

/** Every existing line a preview lists (amended, unchanged or withdrawn), by id. */
/** What a preview listed of the grant's existing lines: all a commit needs of the kept preview. */
export type ListedLines = Pick<PreviewBody, 'willUpdate' | 'unchanged' | 'willWithdraw'>;

function listedLines(preview: ListedLines): Map<string, Listed> {
  return new Map<string, Listed>([
    ...preview.willUpdate.map(({ commitmentId, ref, version, row }) => [commitmentId, { ref, version, row }] as const),
    ...preview.unchanged.map(({ commitmentId, ref, version, row }) => [commitmentId, { ref, version, row }] as const),
    ...preview.willWithdraw.map(({ commitmentId, ref, version }) => [commitmentId, { ref, version, row: null }] as const),
  ]);
}

function changedSincePreview(line: Commitment, listed: Listed, what: string): Problem {
  const where = listed.row === null ? '' : ` (row ${listed.row})`;
  return new Problem(
    'precondition-failed',
    412,
    'A line has changed since the preview',
    `Line ${echo(line.ref)}${where} ${what} since the preview, so nothing was imported. Preview the file again to see the line as it now stands.`,
    { currentEtag: etagOf(line), commitmentId: line.id, ref: line.ref, row: listed.row, previewedVersion: listed.version, currentVersion: line.version },
  );
}

/**
 * If-Match for a whole revised table: the lines the commit would touch or keep must be the
 * ones the preview showed, each at the version it showed (412 naming the first that is not).
 * `lines` are the grant's lines as they stand under the commit's grant lock.
 */
export function assertLinesAsPreviewed(previewed: ListedLines, current: ListedLines, lines: readonly Commitment[]): void {
  const byId = new Map(lines.map((line) => [line.id, line]));
  const seen = listedLines(previewed);
  for (const [id, listed] of seen) {
    const line = byId.get(id);
    if (line && line.version !== listed.version) throw changedSincePreview(line, listed, `has changed (version ${listed.version} then, ${line.version} now)`);
  }
  for (const [id, listed] of listedLines(current)) {
    const line = byId.get(id);
    if (line && !seen.has(id)) throw changedSincePreview(line, listed, 'was not in the preview: it has been added or changed');
  }
}
