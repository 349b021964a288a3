import { type Decimal, formatMoney, sumDecimals } from '../../shared/money.ts';
import { echo } from '../read/grid.ts';

/** "Sub-total", "Subtotal transformation", "Total", "Grand total:", "Totals". */
const TOTAL_LABEL = /^(sub[\s-]?totals?|grand[\s-]?totals?|totals?)\b[\s:.\-–]*(.*)$/i;
/**
 * "Transformation subtotal", "Service delivery sub-total:": a short name, then the word. Only
 * "subtotal": a title ending in "total" ("Transformation total") is too often a line.
 */
const TRAILING_TOTAL_LABEL = /^((?:[^\s]+\s+){1,5}?)[\s:.\-–]*(sub[\s-]?totals?)[\s:.]*$/i;

export interface TotalLabel {
  /** A grand total covers every line above; a subtotal covers its group. */
  readonly kind: 'subtotal' | 'total';
  /** What follows the word, e.g. "transformation" in "Sub-total transformation". */
  readonly rest: string;
}

export function readTotalLabel(text: string): TotalLabel | null {
  const match = TOTAL_LABEL.exec(text.trim());
  if (match) return { kind: match[1]!.toLowerCase().startsWith('sub') ? 'subtotal' : 'total', rest: match[2]!.trim() };
  const trailing = TRAILING_TOTAL_LABEL.exec(text.trim());
  return trailing ? { kind: 'subtotal', rest: trailing[1]!.replace(/[\s:.\-–]+$/, '').trim() } : null;
}

export interface SubtotalCheck {
  readonly row: number;
  readonly label: string;
  readonly printed: string;
  readonly computed: string;
  readonly agrees: boolean;
  /** 'group': the lines of the group above it; 'all': every line above it. */
  readonly scope: 'group' | 'all';
}

export interface TrackedLine {
  readonly row: number;
  readonly amount: Decimal | null;
  /** Lines under one heading form a group; a change of heading starts the next group. */
  readonly group: string;
  readonly category: string | null;
}

export type TotalScope =
  | { readonly kind: 'group' }
  | { readonly kind: 'all' }
  /** "Sub-total transformation": the lines since the last total that the name covers. */
  | { readonly kind: 'named'; readonly covers: (line: TrackedLine) => boolean }
  /** A figure with no label under a group: a subtotal if it is one, else a grand total if it is that. */
  | { readonly kind: 'unlabelled' };

const total = (lines: readonly TrackedLine[]) => sumDecimals(lines.flatMap((line) => (line.amount ? [line.amount] : [])));

/**
 * Follows the lines of a typed table in order and checks each printed total against the lines
 * it stands for. A tbc line adds nothing, as in every total Ringfence computes.
 */
export class SubtotalTracker {
  private readonly all: TrackedLine[] = [];
  private sinceTotal: TrackedLine[] = [];
  private group: TrackedLine[] = [];

  get linesInGroup(): number {
    return this.group.length;
  }

  addLine(line: TrackedLine): void {
    const last = this.group.at(-1);
    if (last && last.group !== line.group) this.group = [];
    this.all.push(line);
    this.sinceTotal.push(line);
    this.group.push(line);
  }

  check(row: number, label: string, printed: Decimal, scope: TotalScope): SubtotalCheck {
    let computed: Decimal;
    let reach: SubtotalCheck['scope'] = 'group';
    if (scope.kind === 'all') {
      computed = total(this.all);
      reach = 'all';
    } else if (scope.kind === 'named') {
      computed = total(this.sinceTotal.filter(scope.covers));
    } else {
      computed = total(this.group);
      if (scope.kind === 'unlabelled' && !computed.equals(printed) && total(this.all).equals(printed)) {
        computed = total(this.all);
        reach = 'all';
      }
    }
    this.sinceTotal = [];
    this.group = [];
    return { row, label: echo(label), printed: formatMoney(printed), computed: formatMoney(computed), agrees: computed.equals(printed), scope: reach };
  }

  /** A group's total printed at its top (on its heading row), checked once the group has ended; nothing is reset. */
  checkGroupSoFar(row: number, label: string, printed: Decimal): SubtotalCheck {
    const computed = total(this.group);
    return { row, label: echo(label), printed: formatMoney(printed), computed: formatMoney(computed), agrees: computed.equals(printed), scope: 'group' };
  }

  /** A heading typed as a row of its own starts a new group even when the heading repeats. */
  startGroup(): void {
    this.group = [];
  }
}
