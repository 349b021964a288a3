import type { FieldError } from '../../shared/problems.ts';

/** end ≥ start when both are known; the error names the later field. */
export function dateOrder(start: string | null, end: string | null, endPath: string, startName: string): FieldError[] {
  if (start === null || end === null || end >= start) return [];
  return [{ path: endPath, message: `must not be before ${startName} (${start})` }];
}

/** Today's date in England, where every council using this works. */
export function todayInEngland(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** A record of an assessment (a RAG rating, a risk score) may not be dated after today. */
export function notInFuture(date: string | null | undefined, path: string): FieldError[] {
  if (!date || date <= todayInEngland()) return [];
  return [{ path, message: 'must not be in the future' }];
}

/**
 * The date of a new assessment (a RAG rating, a risk score): today (in England) unless given,
 * never in the future, never before the assessment it replaces, so the latest is the current.
 */
export function assessmentDate(given: string | undefined, previous: string | null | undefined, path: string, what: string): { date: string; errors: FieldError[] } {
  const date = given ?? todayInEngland();
  const errors = notInFuture(date, path);
  if (previous && date < previous) errors.push({ path, message: `must not be before the current ${what}'s date (${previous})` });
  return { date, errors };
}
