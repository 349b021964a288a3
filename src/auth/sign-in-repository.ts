import { type Kysely, sql } from 'kysely';
import { camelRow } from '../db/rows.ts';
import type { Database } from '../db/tables.ts';

type Db = Kysely<Database>;

/** Every time here is the database's own now(), so instances with drifting clocks agree. */

export async function insertWebSession(db: Db, userId: string, seconds: number): Promise<string> {
  // Expired sessions are cleared as new ones begin: the index on expires_at keeps it cheap.
  await db
    .deleteFrom('web_sessions')
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute();
  const row = await db
    .insertInto('web_sessions')
    .values({ user_id: userId, expires_at: sql<Date>`now() + make_interval(secs => ${seconds})` })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The user of a live session, with what the pages need of them; one primary-key lookup. */
export async function findSessionUser(db: Db, sessionId: string) {
  const row = await db
    .selectFrom('web_sessions')
    .innerJoin('users', 'users.id', 'web_sessions.user_id')
    .select(['users.id', 'users.email', 'users.name', 'users.is_platform_admin', 'users.session_epoch'])
    .where('web_sessions.id', '=', sessionId)
    .where('web_sessions.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row ? camelRow(row) : null;
}

export async function deleteWebSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('web_sessions').where('id', '=', sessionId).execute();
}

export async function deleteUserWebSessions(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('web_sessions').where('user_id', '=', userId).execute();
}

/**
 * Counts one attempt from an address in one statement, so parallel requests on any instance
 * cannot each read a stale count; a window that has passed starts again at one. Returns the
 * count and the seconds until the window ends.
 */
export async function countSignInAttempt(db: Db, address: string, windowSeconds: number): Promise<{ attempts: number; retryAfterSeconds: number }> {
  const window = sql`make_interval(secs => ${windowSeconds})`;
  const result = await sql<{ attempts: number; retry_after_seconds: number }>`
    INSERT INTO sign_in_attempts AS a (address, window_started_at, attempts) VALUES (${address}, now(), 1)
    ON CONFLICT (address) DO UPDATE SET
      attempts = CASE WHEN a.window_started_at <= now() - ${window} THEN 1 ELSE a.attempts + 1 END,
      window_started_at = CASE WHEN a.window_started_at <= now() - ${window} THEN now() ELSE a.window_started_at END
    RETURNING attempts, ceil(extract(epoch FROM window_started_at + ${window} - now()))::integer AS retry_after_seconds`.execute(db);
  const row = result.rows[0]!;
  if (row.attempts === 1)
    await db
      .deleteFrom('sign_in_attempts')
      .where('window_started_at', '<=', sql<Date>`now() - ${window}`)
      .execute();
  return { attempts: row.attempts, retryAfterSeconds: row.retry_after_seconds };
}

/** Seconds until the (email, address) pair may try again, or null when it may now. */
export async function findSignInLock(db: Db, emailHash: string, address: string): Promise<number | null> {
  const row = await db
    .selectFrom('sign_in_failures')
    .select(sql<number>`ceil(extract(epoch FROM locked_until - now()))::integer`.as('seconds'))
    .where('email_hash', '=', emailHash)
    .where('address', '=', address)
    .where('locked_until', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row ? row.seconds : null;
}

export interface BackOff {
  /** Failures in a row before the first lock. */
  readonly failures: number;
  readonly firstLockSeconds: number;
  readonly maxLockSeconds: number;
  /** A pair with no failure for this long starts counting again. */
  readonly forgetSeconds: number;
}

/**
 * Counts a failure for the pair in one statement. From the `failures`th on, each failure locks
 * the pair for twice as long as the last, from `firstLockSeconds` up to `maxLockSeconds`.
 * Returns the seconds the pair is now locked for, or null.
 */
export async function countSignInFailure(db: Db, emailHash: string, address: string, backOff: BackOff): Promise<number | null> {
  const forget = sql`make_interval(secs => ${backOff.forgetSeconds})`;
  const count = sql`(CASE WHEN f.last_failed_at <= now() - ${forget} THEN 1 ELSE f.failures + 1 END)`;
  const lock = (failures: ReturnType<typeof sql>) => sql`CASE WHEN ${failures} >= ${backOff.failures}
      THEN now() + make_interval(secs => least(${backOff.maxLockSeconds}, ${backOff.firstLockSeconds} * power(2, ${failures} - ${backOff.failures})))
      END`;
  const result = await sql<{ failures: number; seconds: number | null }>`
    INSERT INTO sign_in_failures AS f (email_hash, address, failures, locked_until, last_failed_at)
    VALUES (${emailHash}, ${address}, 1, ${lock(sql`1`)}, now())
    ON CONFLICT (email_hash, address) DO UPDATE SET failures = ${count}, locked_until = ${lock(count)}, last_failed_at = now()
    RETURNING failures, ceil(extract(epoch FROM locked_until - now()))::integer AS seconds`.execute(db);
  const row = result.rows[0]!;
  if (row.failures === 1)
    await db
      .deleteFrom('sign_in_failures')
      .where('last_failed_at', '<=', sql<Date>`now() - ${forget}`)
      .execute();
  return row.seconds;
}

export async function clearSignInFailures(db: Db, emailHash: string, address: string): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('email_hash', '=', emailHash).where('address', '=', address).execute();
}
