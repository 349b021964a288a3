// @ts-check
/**
 * A cell's text as the grid keeps it, shared by the reading workers (plain JavaScript, as they
 * are): at most `limit` characters, and whole characters only. Cutting at the limit could
 * split an emoji's surrogate pair, and a workbook's XML can spell half of one (&#xD800;);
 * half a pair is no character, and PostgreSQL refuses it in text and JSON. Each half left
 * alone becomes U+FFFD, as a byte that is not UTF-8 does when a CSV is decoded.
 */
const HALF_PAIR = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** @param {string} text @param {number} limit @returns {string} */
export function wholeCellText(text, limit) {
  return (text.length > limit ? text.slice(0, limit) : text).replace(HALF_PAIR, '\uFFFD');
}
