import type { CategoryMatch, CategoryResolver, CategoryTarget } from './categories.ts';
import type { Columns, Findings } from './findings.ts';
import { echo, type GridRow } from '../read/grid.ts';

function describe(match: CategoryMatch, text: string): string {
  if (match.kind === 'ambiguous') return `"${echo(text)}" could be any of ${match.candidates.join(', ')}; name one`;
  return `"${echo(text)}" is not a heading or category of this grant`;
}

/** The heading a line sits under, already read: from a section row, or a heading cell above. */
export interface CarriedHeading {
  readonly text: string;
  readonly match: CategoryMatch;
  /** Its section row, when it has one: a row the person is asked to match, not each line. */
  readonly sectionRow: number | null;
}

/** A line's category; `headingCovers` lists the codes of a heading that covers several when only that heading placed it. */
export interface LineCategory extends CategoryTarget {
  readonly headingCovers?: readonly string[];
}

/**
 * The category a line goes into: its category cell if it has one, else its heading cell,
 * else the heading it sits under. A heading that covers several categories (service delivery)
 * puts the line in its first category, and the preview says so, since the person may mean
 * another; a category and a heading that disagree are refused rather than guessed between.
 */
export function resolveLineCategory(row: GridRow, columns: Columns, resolver: CategoryResolver, carried: CarriedHeading | null, findings: Findings): LineCategory | null {
  const categoryText = columns.text(row, 'category');
  const headingText = columns.text(row, 'heading');
  const field = categoryText !== '' ? 'category' : 'heading';
  const own = categoryText || headingText;
  if (own === '' && carried === null) {
    findings.add(
      columns.problem(row, columns.has('category') && !columns.has('heading') ? 'category' : 'heading', 'is empty, and no heading above says which category this line is in'),
    );
    return null;
  }
  const text = own || carried!.text;
  const match = own ? resolver.resolve(own) : carried!.match;
  if (match.kind === 'ambiguous' || match.kind === 'none') {
    // A section row that matched nothing is one problem, on that row, not one per line under it.
    if (own === '' && carried!.sectionRow !== null) return null;
    findings.add(columns.problem(row, field, describe(match, text)));
    return null;
  }
  if (match.kind === 'heading') {
    const others = match.others.map((other) => other.name).join(', ');
    findings.note(
      row.row,
      `"${echo(text)}" is the heading ${match.headingLabel}, which covers several categories: these lines go into ${match.category.name}. ` +
        `To put a line in ${others}, add a category column saying so.`,
    );
  }
  if (categoryText !== '' && headingText !== '') {
    const heading = resolver.resolve(headingText);
    const headingCode = heading.kind === 'heading' || heading.kind === 'category' ? heading.category.heading : null;
    if (headingCode !== null && headingCode !== match.category.heading) {
      findings.add(columns.problem(row, 'heading', `says ${echo(headingText)}, but the category ${match.category.name} reports under ${match.category.headingLabel}`));
      return null;
    }
  }
  // A revised table keeps a line in whichever of the heading's categories it is already in.
  return match.kind === 'heading' ? { ...match.category, headingCovers: [match.category.code, ...match.others.map((other) => other.code)] } : match.category;
}
