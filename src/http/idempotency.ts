import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Kysely, sql, type Transaction } from 'kysely';
import { configure } from 'safe-stable-stringify';
import { z } from 'zod';
import { accessOf, principalOf } from '../auth/access.ts';
import type { Database } from '../db/tables.ts';
import { inTransaction } from '../db/transaction.ts';
import { IdempotencyConflictProblem, RequestInFlightProblem, ValidationProblem } from '../shared/problems.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route honours Idempotency-Key. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotencyFingerprint: string | null;
  }
}

/** Keys are kept at least this long (Stripe keeps 24 hours). */
const KEY_LIFETIME = '24 hours';
const KEY_TEXT = /^[\x21-\x7e]{1,255}$/;
const canonicalJson = configure({ deterministic: true });

/** Documents the header on routes that honour it. */
export const idempotencyHeaders = z.object({
  'idempotency-key': z.string().optional().meta({ description: 'Send the same key to retry safely: a repeat with the same body replays the first response and writes nothing.' }),
});

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** Fingerprints the request as sent, before validation turns it into domain values. */
export const idempotencyPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('idempotencyFingerprint', null);
    app.addHook('preValidation', async (request) => {
      if (!request.routeOptions.config?.idempotent) return;
      const path = request.url.split('?')[0];
      request.idempotencyFingerprint = createHash('sha256')
        .update(canonicalJson({ method: request.method, path, body: request.body ?? null }) ?? '')
        .digest('hex');
    });
  },
  { name: 'idempotency' },
);

function send(reply: FastifyReply, response: StoredResponse, replayed: boolean): FastifyReply {
  reply.status(response.status).headers(response.headers);
  if (replayed) reply.header('idempotent-replayed', 'true');
  return reply.send(response.body);
}

async function claimKey(db: Kysely<Database>, organisationId: string, key: string, fingerprint: string): Promise<void> {
  // A key older than its lifetime is free again: the new request takes it over.
  await db
    .insertInto('idempotency_keys')
    .values({ organisation_id: organisationId, key, request_hash: fingerprint, state: 'in_flight' })
    .onConflict((oc) =>
      oc
        .columns(['organisation_id', 'key'])
        .doUpdateSet({ request_hash: fingerprint, state: 'in_flight', response_status: null, response_body: null, response_headers: null, created_at: sql<Date>`now()` })
        .where('idempotency_keys.created_at', '<', sql<Date>`now() - ${KEY_LIFETIME}::interval`),
    )
    .execute();
}

async function releaseKey(db: Kysely<Database>, organisationId: string, storedKey: string, fingerprint: string): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('organisation_id', '=', organisationId)
    .where('key', '=', storedKey)
    .where('state', '=', 'in_flight')
    .where('request_hash', '=', fingerprint)
    .execute();
}

async function lockKey(trx: Transaction<Database>, organisationId: string, key: string) {
  try {
    const result = await sql<{ request_hash: string; state: string; response_status: number | null; response_body: unknown; response_headers: Record<string, string> | null }>`
      SELECT request_hash, state, response_status, response_body, response_headers FROM idempotency_keys
      WHERE organisation_id = ${organisationId} AND key = ${key} FOR UPDATE NOWAIT`.execute(trx);
    return result.rows[0] ?? null;
  } catch (error) {
    // 55P03 lock_not_available: the request holding this key is still running.
    if ((error as { code?: string }).code === '55P03') throw new RequestInFlightProblem();
    throw error;
  }
}

/**
 * Runs a write at most once per Idempotency-Key. The key is claimed first (committed, so a
 * concurrent twin finds it), then locked inside the write's own transaction, which also
 * stores the response: if the process dies mid-write, both vanish together and a retry runs
 * the write afresh; a twin that finds the lock held is told the request is in flight.
 * A request that fails (a 4xx or 5xx) stores nothing and releases its key, so it may be
 * retried with the same key, corrected or not.
 */
export async function respondIdempotently(
  db: Kysely<Database>,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (trx: Transaction<Database>) => Promise<StoredResponse>,
): Promise<FastifyReply> {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return send(reply, await inTransaction(db, work), false);
  if (typeof key !== 'string' || !KEY_TEXT.test(key)) {
    throw new ValidationProblem([{ path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }]);
  }
  const organisationId = accessOf(request).organisationId;
  // A key is one caller's: another member of the organisation sending the same text gets
  // nothing of the first caller's response. Stored hashed with the user, within its organisation.
  const storedKey = createHash('sha256')
    .update(`${principalOf(request).userId}\n${key}`)
    .digest('hex');
  const fingerprint = request.idempotencyFingerprint ?? '';
  await claimKey(db, organisationId, storedKey, fingerprint);

  let workFailed = false;
  const outcome = await db
    .transaction()
    .execute(async (trx) => {
      const row = await lockKey(trx, organisationId, storedKey);
      if (!row) throw new RequestInFlightProblem();
      if (row.request_hash !== fingerprint) throw new IdempotencyConflictProblem();
      if (row.state === 'done' && row.response_status !== null) {
        return { replayed: true, response: { status: row.response_status, body: row.response_body, headers: row.response_headers ?? {} } };
      }
      let response: StoredResponse;
      try {
        response = await work(trx);
      } catch (error) {
        workFailed = true;
        throw error;
      }
      await trx
        .updateTable('idempotency_keys')
        .set({
          state: 'done',
          response_status: response.status,
          response_body: JSON.stringify(response.body),
          response_headers: JSON.stringify(response.headers),
        })
        .where('organisation_id', '=', organisationId)
        .where('key', '=', storedKey)
        .execute();
      return { replayed: false, response };
    })
    .catch(async (error: unknown) => {
      // The write failed and wrote nothing: the key is free again, so the corrected request
      // may be sent with it (not refused as a conflict for a day).
      if (workFailed) await releaseKey(db, organisationId, storedKey, fingerprint);
      throw error;
    });
  return send(reply, outcome.response, outcome.replayed);
}

/** Forgets keys past their lifetime; run now and then (at start-up, say). */
export async function purgeExpiredIdempotencyKeys(db: Kysely<Database>): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', sql<Date>`now() - ${KEY_LIFETIME}::interval`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
