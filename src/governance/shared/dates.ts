import type { FieldError } from '../../shared/problems.ts';

/** end ≥ start when both are known; the error names the later field. */
export function dateOrder(start: string | null, end: string | null, endPath: string, startName: string): FieldError[] {
  if (start === null || end === null || end >= start) return [];
  return [{ path: endPath, message: `must not be before ${startName} (${start})` }];
}

/** A record of an assessment (a RAG rating, a risk score) may not be dated after today (in the UK). */
export function notInFuture(date: string | null | undefined, path: string, today: string): FieldError[] {
  if (!date || date <= today) return [];
  return [{ path, message: 'must not be in the future' }];
}

/**
 * The date of a new assessment (a RAG rating, a risk score): today (in England) unless given,
 * never in the future, never before the assessment it replaces, so the latest is the current.
 */
export function assessmentDate(given: string | undefined, previous: string | null | undefined, path: string, what: string, today: string): { date: string; errors: FieldError[] } {
  const date = given ?? today;
  const errors = notInFuture(date, path, today);
  if (previous && date < previous) errors.push({ path, message: `must not be before the current ${what}'s date (${previous})` });
  return { date, errors };
}
