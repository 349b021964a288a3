import type { Kysely } from 'kysely';
import type { CommitmentStatus, Database } from '../db/tables.ts';
import type { Grant } from '../grants/repository.ts';
import { Decimal, ZERO } from '../shared/money.ts';
import { type FiguresBounds, type FiguresDetail, findGrantFigures, type RawCategoryFigures } from './repository.ts';

export type { FiguresBounds, FiguresDetail } from './repository.ts';

/** Spend dated in Q1..Q4 of the grant's year. */
export type QuarterAmounts = readonly [Decimal, Decimal, Decimal, Decimal];

/** What a category, a heading or the grant adds up to (see findGrantFigures for the rules). */
export interface Figures {
  readonly committed: Decimal;
  readonly spent: Decimal;
  readonly exposure: Decimal;
  readonly lines: number;
  readonly tbcLines: number;
  /** null unless quarters were asked for. */
  readonly quarters: QuarterAmounts | null;
}

export interface LineFigures {
  readonly id: string;
  readonly ref: string;
  readonly title: string;
  readonly categoryId: string;
  readonly status: CommitmentStatus;
  readonly committedOn: string;
  /** The line's amount as it stood; null while tbc. */
  readonly amount: Decimal | null;
  /** Not withdrawn, and committed by the period's end: its amount is in committed. */
  readonly counts: boolean;
  readonly spent: Decimal;
  /** What it adds to its category's exposure. */
  readonly exposure: Decimal;
  readonly quarters: QuarterAmounts | null;
}

export interface GrantFigures {
  readonly bounds: FiguresBounds;
  /** By category id; every one of the grant's categories, with nothing where no line is. */
  readonly categories: ReadonlyMap<string, Figures>;
  /** By heading code, every one of the grant's headings. */
  readonly headings: ReadonlyMap<string, Figures>;
  readonly total: Figures;
  /** Every line (withdrawn and not yet committed too) in line order, when asked for; else empty. */
  readonly lines: readonly LineFigures[];
}

const money = (value: string | null): Decimal => (value === null ? ZERO : new Decimal(value));

function quartersOf(row: { q1: string | null; q2: string | null; q3: string | null; q4: string | null }): QuarterAmounts | null {
  if (row.q1 === null) return null;
  return [money(row.q1), money(row.q2), money(row.q3), money(row.q4)];
}

function fromRow(row: RawCategoryFigures): Figures {
  return {
    committed: money(row.committed),
    spent: money(row.spent),
    exposure: money(row.exposure),
    lines: Number(row.lines),
    tbcLines: Number(row.tbc_lines),
    quarters: quartersOf(row),
  };
}

function addUp(all: readonly Figures[], withQuarters: boolean): Figures {
  const sum = (pick: (f: Figures) => Decimal) => all.reduce((total, f) => total.plus(pick(f)), ZERO);
  return {
    committed: sum((f) => f.committed),
    spent: sum((f) => f.spent),
    exposure: sum((f) => f.exposure),
    lines: all.reduce((n, f) => n + f.lines, 0),
    tbcLines: all.reduce((n, f) => n + f.tbcLines, 0),
    quarters: withQuarters ? ([0, 1, 2, 3].map((i) => sum((f) => f.quarters?.[i] ?? ZERO)) as unknown as QuarterAmounts) : null,
  };
}

/**
 * A grant's figures within the bounds, per line, category, heading and in all. The grant is
 * the one whose categories and headings they are grouped by (as it stood, for an as-at read).
 */
export async function readGrantFigures(db: Kysely<Database>, grant: Grant, bounds: FiguresBounds, detail: Partial<FiguresDetail> = {}): Promise<GrantFigures> {
  const withQuarters = detail.quartersOf !== undefined && detail.quartersOf !== null;
  const raw = await findGrantFigures(db, grant.id, bounds, { lines: detail.lines ?? false, quartersOf: detail.quartersOf ?? null });
  const found = new Map(raw.categories.map((row) => [row.category_id, fromRow(row)]));
  const nothing = addUp([], withQuarters);
  const categories = new Map(grant.categories.map((category) => [category.categoryId, found.get(category.categoryId) ?? nothing]));
  const headings = new Map(
    grant.headings.map((heading) => [
      heading.code,
      addUp(
        grant.categories.filter((category) => category.heading === heading.code).map((category) => categories.get(category.categoryId)!),
        withQuarters,
      ),
    ]),
  );
  return {
    bounds,
    categories,
    headings,
    total: addUp([...categories.values()], withQuarters),
    lines: raw.lines.map((row) => ({
      id: row.id,
      ref: row.ref,
      title: row.title,
      categoryId: row.category_id,
      status: row.status,
      committedOn: row.committed_on,
      amount: row.amount === null ? null : new Decimal(row.amount),
      counts: row.counts,
      spent: money(row.spent),
      exposure: money(row.exposure),
      quarters: quartersOf(row),
    })),
  };
}
