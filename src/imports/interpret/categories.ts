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
 * Common council wording for the built-in scheme's categories and headings (by code): what
 * cabinet tables and DfE returns call them. A code the grant does not have is never offered.
 */
const COUNCIL_WORDING: Readonly<Record<string, readonly string[]>> = {
  transformation: ['transformation', 'system change', 'systems change', 'readiness', 'change programme', 'programme team'],
  family_help_delivery: ['family help', 'early help', 'direct delivery', 'family support', 'frontline'],
  practice_workforce_ict: ['workforce', 'practice development', 'practice model', 'ict', 'data sharing', 'training'],
  family_voice: ['family voice', 'lived experience', 'co production', 'coproduction', 'participation', 'needs analysis'],
  service_delivery: ['service delivery'],
  service_design: ['service design'],
};

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
    const scores = Object.entries(COUNCIL_WORDING)
      .map(([code, phrases]) => ({ code, score: phrases.filter((each) => phrase.includes(` ${key(each)} `)).length }))
      .filter(({ code, score }) => score > 0 && (categories.some((c) => c.code === code) || categories.some((c) => c.heading === code)))
      .sort((a, b) => b.score - a.score);
    const [best, next] = scores;
    if (best && (!next || next.score < best.score)) {
      const category = categories.find((c) => c.code === best.code);
      return category ? { kind: 'category', category } : headingOf(best.code);
    }
    if (byLead.kind === 'ambiguous') return byLead;
    return whole.kind === 'ambiguous' ? whole : { kind: 'none' };
  };

  return { exact, resolve, section };
}
