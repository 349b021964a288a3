import { daysFrom } from '../../shared/calendar.ts';
import type { Milestone } from './repository.ts';

/**
 * How late a milestone is on a day: one still open counts the days since it was due, one
 * complete the days it was finished after its due date (0 when on time or not yet due); a
 * cancelled milestone is never late (null).
 */
export function milestoneDaysLate(milestone: Pick<Milestone, 'dueOn' | 'status' | 'completedOn'>, today: string): number | null {
  if (milestone.status === 'cancelled') return null;
  const until = milestone.status === 'complete' ? (milestone.completedOn ?? milestone.dueOn) : today;
  return Math.max(0, daysFrom(milestone.dueOn, until));
}
