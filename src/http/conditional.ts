import { PreconditionFailedProblem } from '../shared/problems.ts';

/**
 * If-Match (RFC 9110 §13.1.1): absent or "*" always matches; otherwise one of the listed tags
 * must equal the current one. Weak tags never match a strong comparison.
 */
export function assertIfMatch(ifMatch: string | undefined, currentEtag: string): void {
  if (ifMatch === undefined) return;
  const trimmed = ifMatch.trim();
  if (trimmed === '*') return;
  const tags = trimmed.split(',').map((tag) => tag.trim());
  if (!tags.includes(currentEtag)) throw new PreconditionFailedProblem(currentEtag);
}
