/**
 * OWASP "CSV injection": a spreadsheet treats a cell that starts with one of these as a formula
 * (or, for tab and CR, may shift it into one). A line titled =HYPERLINK("http://x","y") must
 * open as text, so such text gets a leading apostrophe, which spreadsheets read as "this is
 * text" and hide. Only text goes through here: money stays numeric (a prefix would break -5.00).
 */
const FORMULA_START = /^[=+\-@\t\r\0]/;

export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/*
 * In a CSV a formula can also start inside a cell: a spreadsheet opening the file with ";" as
 * its list separator splits "Room hire;=cmd|' /C calc'!A0" into two cells, and text pasted
 * from a cell splits at tabs and line breaks. Each place a separator, tab or line break is
 * followed (after any spaces) by a formula's first character gets the same apostrophe.
 */
const FORMULA_AFTER_SEPARATOR = /([;,\t\r\n][ ]*)([=+\-@\t\r\0])/g;

/** Text for a CSV cell: neutralised at its start and after every separator a spreadsheet might split it at. */
export function neutraliseCsvText(text: string): string {
  return neutraliseFormula(text).replace(FORMULA_AFTER_SEPARATOR, "$1'$2");
}

// Characters XML 1.0 forbids: a title holding one would make Word or Excel refuse the file.
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text that can go into an .xlsx or .docx part without making the file unreadable. */
export function xmlSafe(text: string): string {
  return text.replace(XML_INVALID, '\uFFFD');
}

/** What published and shared data says in place of a private individual's name. */
export const REDACTED_PERSONAL_DATA = 'Redacted personal data';
