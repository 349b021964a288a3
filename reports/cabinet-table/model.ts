import type { ReportContext, ReportLine } from '../../src/reports/service.ts';
import { type Decimal, sumDecimals } from '../../src/shared/money.ts';

/**
 * The committee table, as cabinet reports print it: lines numbered and grouped by reporting
 * heading with a subtotal each, the total of commitments and the balance left to commit. Every
 * figure is computed here from the lines, so no subtotal can disagree with the lines above it
 * (DOMAIN.md: the published table's hand-typed subtotals were wrong).
 */
export interface CabinetTable {
  readonly organisation: { readonly name: string; readonly code: string };
  readonly scheme: { readonly code: string; readonly name: string };
  readonly financialYear: string;
  /** The day the table stands at the end of, or null for the current position. */
  readonly asAt: string | null;
  /** Today in the UK: printed as the date of a current-position table, never in an as-at one. */
  readonly today: string;
  readonly allocation: Decimal;
  readonly groups: readonly CabinetGroup[];
  readonly total: Decimal;
  readonly balance: Decimal;
  readonly lineCount: number;
  readonly tbcLines: number;
}

export interface CabinetGroup {
  readonly heading: string;
  readonly label: string;
  readonly lines: readonly CabinetLine[];
  readonly subtotal: Decimal;
}

export interface CabinetLine {
  readonly ref: string;
  readonly title: string;
  /** null while tbc: listed, counted as a line, added to no total. */
  readonly amount: Decimal | null;
}

/**
 * Groups appear in the order their first line was numbered (the worked example prints
 * transformation, then service delivery, then service design); withdrawn lines are left out.
 * `lines` must already be in line order.
 */
export function buildCabinetTable(context: ReportContext, lines: readonly ReportLine[]): CabinetTable {
  const groups = new Map<string, { label: string; lines: CabinetLine[] }>();
  for (const line of lines) {
    if (line.status === 'withdrawn') continue;
    const heading = line.category.heading;
    let group = groups.get(heading);
    if (!group) {
      group = { label: line.category.headingLabel, lines: [] };
      groups.set(heading, group);
    }
    group.lines.push({ ref: line.ref, title: line.title, amount: line.amount });
  }
  const built = [...groups].map(([heading, group]) => ({
    heading,
    label: group.label,
    lines: group.lines,
    subtotal: sumDecimals(group.lines.flatMap((line) => (line.amount === null ? [] : [line.amount]))),
  }));
  const total = sumDecimals(built.map((group) => group.subtotal));
  const { grant, organisation } = context;
  return {
    organisation: { name: organisation.name, code: organisation.code },
    scheme: { code: grant.schemeCode, name: grant.schemeName },
    financialYear: grant.financialYear,
    asAt: context.asAt?.date ?? null,
    today: organisation.today,
    allocation: grant.allocation,
    groups: built,
    total,
    balance: grant.allocation.minus(total),
    lineCount: built.reduce((count, group) => count + group.lines.length, 0),
    tbcLines: built.reduce((count, group) => count + group.lines.filter((line) => line.amount === null).length, 0),
  };
}

/** "Children's Social Care Prevention Grant 2025-26: commitments", the title every format prints. */
export function tableTitle(table: CabinetTable): string {
  return `${table.scheme.name} ${table.financialYear}: commitments`;
}
