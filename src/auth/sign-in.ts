import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import * as signIns from './sign-in-repository.ts';
import { normaliseEmail, toWebUser, type WebUser } from './users-service.ts';

/**
 * The rules of signing in to the pages, kept in PostgreSQL so every instance shares them:
 *
 * - A session lives SESSION_SECONDS from sign-in, as a row named by the id its encrypted cookie
 *   carries; signing out deletes the row, so a copy of the cookie is refused from then on.
 * - Each source address may try SIGN_IN_RATE.max times in a window, across all accounts.
 * - Failures are counted per (email, source address) pair, known email or not: from the
 *   LOCKOUT.failures-th failure in a row the pair must wait, one minute, then twice as long
 *   after each further failure, never more than LOCKOUT.maxLockMinutes. A lock stops only that
 *   address trying that email: whoever guesses from elsewhere cannot lock the owner out, and
 *   no one waits more than 15 minutes after their own last failure. An unknown email answers
 *   exactly as a known one (same message, status and work), so the lock reveals nothing.
 */

/** A working day; after it, sign in again even with an untouched cookie. */
export const SESSION_SECONDS = 8 * 60 * 60;

/** Sign-in attempts one address may make in the window, across all accounts. */
export const SIGN_IN_RATE = { max: 20, windowMinutes: 5 } as const;

export const LOCKOUT = { failures: 5, firstLockMinutes: 1, maxLockMinutes: 15, forgetHours: 24 } as const;

const BACK_OFF: signIns.BackOff = {
  failures: LOCKOUT.failures,
  firstLockSeconds: LOCKOUT.firstLockMinutes * 60,
  maxLockSeconds: LOCKOUT.maxLockMinutes * 60,
  forgetSeconds: LOCKOUT.forgetHours * 60 * 60,
};

/** The pair's key holds no typed address: a hash, the same whether or not an account has it. */
function emailKey(email: string): string {
  return createHash('sha256').update(normaliseEmail(email)).digest('hex');
}

export function startWebSession(db: Kysely<Database>, userId: string): Promise<string> {
  return signIns.insertWebSession(db, userId, SESSION_SECONDS);
}

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who a session belongs to while it lives; null once it has ended or expired. */
export async function findSessionUser(db: Kysely<Database>, sessionId: string): Promise<WebUser | null> {
  const user = SESSION_ID.test(sessionId) ? await signIns.findSessionUser(db, sessionId) : null;
  return user ? toWebUser(db, user) : null;
}

export async function endWebSession(db: Kysely<Database>, sessionId: string): Promise<void> {
  if (SESSION_ID.test(sessionId)) await signIns.deleteWebSession(db, sessionId);
}

export const endEveryWebSession = signIns.deleteUserWebSessions;

/** Counts an attempt from the address; `retryAfterSeconds` when it is one too many. */
export async function admitSignInAttempt(db: Kysely<Database>, address: string): Promise<{ retryAfterSeconds: number } | null> {
  const counted = await signIns.countSignInAttempt(db, address, SIGN_IN_RATE.windowMinutes * 60);
  return counted.attempts > SIGN_IN_RATE.max ? { retryAfterSeconds: Math.max(1, counted.retryAfterSeconds) } : null;
}

/** Seconds this address must wait before trying this email again, or null. */
export function signInLockSeconds(db: Kysely<Database>, email: string, address: string): Promise<number | null> {
  return signIns.findSignInLock(db, emailKey(email), address);
}

/** Counts a failure; the seconds the pair is now locked for, if this locked it. */
export function recordFailedSignIn(db: Kysely<Database>, email: string, address: string): Promise<number | null> {
  return signIns.countSignInFailure(db, emailKey(email), address, BACK_OFF);
}

export function recordSuccessfulSignIn(db: Kysely<Database>, email: string, address: string): Promise<void> {
  return signIns.clearSignInFailures(db, emailKey(email), address);
}
