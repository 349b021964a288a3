import { addDays, quarterLabel } from '../shared/calendar.ts';
import type { ReturnDue } from './calendar.ts';

/**
 * The returns calendar as iCalendar (RFC 5545), written here rather than with a library: a
 * feed of all-day events needs only text escaping, line folding and CRLF, and a dependency
 * for that would cost more to keep than these lines.
 */

/** TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 §3.3.11). */
function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** Lines longer than 75 octets are folded: CRLF then a space (§3.1), never inside a UTF-8 character. */
function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const character of line) {
    const size = Buffer.byteLength(character, 'utf8');
    if (octets + size > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += character;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const compactDate = (isoDate: string) => isoDate.replace(/-/g, '');

function stamp(instant: Date): string {
  return instant
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export interface IcsContext {
  readonly organisationId: string;
  readonly organisationName: string;
  /** The page a person opens to prepare a return, absolute or relative to the site. */
  readonly returnsUrl: string;
  readonly now: Date;
}

const TITLES = { 'dfe-quarterly': 'DfE quarterly return', transparency: 'Transparency Code: spending over £500' } as const;

export function returnsIcs(items: readonly ReturnDue[], context: IcsContext): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Ringfence//Returns calendar//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(`Returns: ${context.organisationName}`)}`,
  ];
  for (const item of items) {
    const scope = item.grantId ?? context.organisationId;
    lines.push(
      'BEGIN:VEVENT',
      `UID:${item.return}-${scope}-${item.financialYear}-${item.period}@ringfence`,
      `DTSTAMP:${stamp(context.now)}`,
      `DTSTART;VALUE=DATE:${compactDate(item.dueOn)}`,
      `DTEND;VALUE=DATE:${compactDate(addDays(item.dueOn, 1))}`,
      `SUMMARY:${escapeText(`${TITLES[item.return]} ${item.financialYear} ${item.period} due (${item.status})`)}`,
      `DESCRIPTION:${escapeText(`${TITLES[item.return]} for ${quarterLabel(item.financialYear, item.period)}, ${context.organisationName}. Status: ${item.status}. ${context.returnsUrl}`)}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}
