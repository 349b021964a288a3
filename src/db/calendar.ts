import { sql } from 'kysely';

/**
 * The SQL twin of the calendar's UK days (src/shared/calendar.ts), for where the database's
 * clock must decide: it stamped every record, so a day's bounds and "today" are read from it,
 * and neither British Summer Time nor the process's time zone can shift a bound by an hour.
 */

/** Today in the UK by the database's clock, as "YYYY-MM-DD". */
export const londonTodaySql = sql<string>`(now() AT TIME ZONE 'Europe/London')::date::text`;

/** The first instant after a UK day: midnight in London at the start of the next day. */
export function endOfLondonDaySql(isoDate: string) {
  return sql<Date>`((${isoDate}::date + 1)::timestamp AT TIME ZONE 'Europe/London')`;
}
