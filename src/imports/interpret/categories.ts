/** A grant's category as the import matches names against it. */
export interface CategoryTarget {
  readonly code: string;
  readonly name: string;
  readonly heading: string;
  readonly headingLabel: string;
}

export type CategoryMatch =
  | { readonly kind: 'category'; readonly category: CategoryTarget }
  /** A reporting heading: its first category is used unless a category column says otherwise. */
  | { readonly kind: 'heading'; readonly heading: string; readonly headingLabel: string; readonly category: CategoryTarget; readonly others: readonly CategoryTarget[] }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly string[] }
  | { readonly kind: 'none' };

const STOP_WORDS = new Set(['and', 'of', 'the', 'for', 'to', 'in', 'a']);

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/_/g, ' ')
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '' && !STOP_WORDS.has(word));
}

const key = (text: string) => words(text).join(' ');
const within = (inner: readonly string[], outer: ReadonlySet<string>) => inner.length > 0 && inner.every((word) => outer.has(word));

export interface CategoryResolver {
  /** Only exact names, codes and heading labels. */
  exact(text: string): CategoryMatch;
  /** Also tolerant forms: "Family Help delivery", "transformation activity", "ICT". */
  resolve(text: string): CategoryMatch;
  /**
   * A council's own section heading, of any length: "Transformation Funding (maximum of 30%)
   * should be spent on…" is transformation. See sectionCategory.
   */
  section(text: string): CategoryMatch;
}

/** Words councils put around a heading's name that say nothing about which one it is. */
const FILLER = new Set([
  'funding',
  'fund',
  'funded',
  'budget',
  'spend',
  'spending',
  'costs',
  'cost',
  'allocation',
  'grant',
  'element',
  'strand',
  'workstream',
  'area',
  'section',
  'lines',
  'line',
  'activities',
  'proposals',
]);

/**
 * The name at the start of a descriptive heading: up to its first bracket, colon, dash,
 * semicolon or full stop, or the verb that starts the description ("… should be spent on").
 */
function leadOf(text: string): string {
  const upToPunctuation = text.split(/[(:;–—]|\s-\s|\.\s|,\s/)[0] ?? '';
  const upToVerb = upToPunctuation.split(/\b(should|must|will|to be|is|are|can|may|for|used|covers|including|which|that)\b/i)[0] ?? '';
  return upToVerb
    .split(/\s+/)
    .filter((word) => !FILLER.has(word.toLowerCase()))
    .join(' ')
    .trim();
}

/**
 * Common council wording, and what it means in the words schemes name their categories and
 * headings with: read through the grant's own names, so no scheme's category is named here.
 */
const COUNCIL_WORDING: readonly (readonly [wording: string, meaning: string])[] = [
  ['system change', 'transformation activity'],
  ['systems change', 'transformation activity'],
  ['readiness', 'transformation activity'],
  ['change programme', 'transformation activity'],
  ['programme team', 'transformation activity'],
  ['early help', 'family help'],
  ['family support', 'family help'],
  ['direct delivery', 'family help'],
  ['workforce', 'workforce'],
  ['practice development', 'practice development'],
  ['data sharing', 'ict'],
  ['digital', 'ict'],
  ['co production', 'family voice'],
  ['coproduction', 'family voice'],
  ['participation', 'family voice'],
  ['lived experience', 'family voice'],
  ['needs analysis', 'service design'],
];

/**
 * Matches the names people give headings and categories to the grant's own, case and
 * punctuation aside: a category by code or name, a heading by code or label; then by words,
 * either way round ("Family Help delivery" is within "Direct delivery of Family Help";
 * "Transformation" is within "transformation activity"). A name that fits several is refused.
 */
export function categoryResolver(categories: readonly CategoryTarget[]): CategoryResolver {
  const headingOf = (code: string): CategoryMatch => {
    const under = categories.filter((c) => c.heading === code);
    const [first, ...others] = under;
    if (!first) return { kind: 'none' };
    if (others.length === 0) return { kind: 'category', category: first };
    return { kind: 'heading', heading: code, headingLabel: first.headingLabel, category: first, others };
  };
  const headings = [...new Map(categories.map((c) => [c.heading, c.headingLabel])).entries()];

  const exact = (text: string): CategoryMatch => {
    const wanted = key(text);
    if (wanted === '') return { kind: 'none' };
    const category = categories.find((c) => key(c.code) === wanted || key(c.name) === wanted);
    if (category) return { kind: 'category', category };
    const heading = headings.find(([code, label]) => key(code) === wanted || key(label) === wanted);
    return heading ? headingOf(heading[0]) : { kind: 'none' };
  };

  const resolve = (text: string): CategoryMatch => {
    const found = exact(text);
    if (found.kind !== 'none') return found;
    const given = words(text);
    const givenSet = new Set(given);
    const fits = (name: string) => {
      const theirs = words(name);
      return within(given, new Set(theirs)) || within(theirs, givenSet);
    };
    const byCategory = categories.filter((c) => fits(c.name) || fits(c.code));
    if (byCategory.length === 1) return { kind: 'category', category: byCategory[0]! };
    const byHeading = headings.filter(([code, label]) => fits(label) || fits(code));
    if (byCategory.length === 0 && byHeading.length === 1) return headingOf(byHeading[0]![0]);
    if (byCategory.length > 1 && byHeading.length === 1 && byCategory.every((c) => c.heading === byHeading[0]![0])) {
      return headingOf(byHeading[0]![0]);
    }
    const candidates = [...byCategory.map((c) => c.name), ...byHeading.map(([, label]) => label)];
    return candidates.length > 0 ? { kind: 'ambiguous', candidates: [...new Set(candidates)] } : { kind: 'none' };
  };

  /**
   * A section heading as councils type it: its exact name; else the name it starts with
   * (leadOf), read tolerantly; else its whole text read tolerantly, when that finds one; else
   * the council wording it uses most (COUNCIL_WORDING), when one category or heading leads.
   */
  const section = (text: string): CategoryMatch => {
    const found = exact(text);
    if (found.kind !== 'none') return found;
    const lead = leadOf(text);
    const byLead = lead === '' ? ({ kind: 'none' } as const) : resolve(lead);
    if (byLead.kind === 'category' || byLead.kind === 'heading') return byLead;
    const whole = resolve(text);
    if (whole.kind === 'category' || whole.kind === 'heading') return whole;
    const phrase = ` ${words(text).join(' ')} `;
    const votes = new Map<string, { match: CategoryMatch; score: number }>();
    for (const [wording, meaning] of COUNCIL_WORDING) {
      if (!phrase.includes(` ${key(wording)} `)) continue;
      const match = resolve(meaning);
      if (match.kind !== 'category' && match.kind !== 'heading') continue;
      const id = match.kind === 'category' ? `category:${match.category.code}` : `heading:${match.heading}`;
      votes.set(id, { match, score: (votes.get(id)?.score ?? 0) + 1 });
    }
    const [best, next] = [...votes.values()].sort((a, b) => b.score - a.score);
    if (best && (!next || next.score < best.score)) return best.match;
    if (byLead.kind === 'ambiguous') return byLead;
    return whole.kind === 'ambiguous' ? whole : { kind: 'none' };
  };

  return { exact, resolve, section };
}
