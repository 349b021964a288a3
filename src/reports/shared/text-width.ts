/**
 * How wide a text prints in Arial, for sizing Word table columns so that no word has to break.
 * Arial shares Helvetica's advance widths (LibreOffice substitutes Liberation Sans, made to the
 * same metrics); these are the bold ones, which are never narrower than the regular, in
 * thousandths of an em for the printable ASCII characters from the space on.
 */
const ASCII_WIDTHS = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722,
  722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556,
  333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
] as const;

const OTHER_WIDTHS: Readonly<Record<string, number>> = { '£': 556, '€': 556, '–': 556, '—': 1000, '−': 584, '×': 584, '‘': 278, '’': 278, '“': 500, '”': 500, '…': 1000 };

function charWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 32 && code <= 126) return ASCII_WIDTHS[code - 32]!;
  // Accented Latin letters are as wide as their base letter, near enough; anything else counts as a full em.
  if (code >= 0xc0 && code <= 0x17f) return 778;
  return OTHER_WIDTHS[char] ?? 1000;
}

/** Twentieths of a point (twips) that `text` takes at `halfPoints` (Word's font size unit). */
export function textWidthTwips(text: string, halfPoints: number): number {
  let units = 0;
  for (const char of text) units += charWidth(char);
  // units/1000 em × (halfPoints/2) pt × 20 twips a point.
  return Math.ceil((units * halfPoints) / 100);
}

/** The words of a cell: what Word wraps between and never inside, when the column is wide enough. */
export function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}
