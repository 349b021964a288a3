import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/tables.ts';
import { GENESIS_HASH, hashRecord, PLATFORM_CHAIN } from './chain.ts';

export interface AuditContext {
  readonly actorId: string | null;
  readonly requestId?: string | null;
}

export interface Change {
  /** null for platform-wide events. */
  readonly organisationId: string | null;
  /** e.g. 'create', 'update', 'withdraw', 'revoke'. */
  readonly action: string;
  /** e.g. 'commitment', 'spend', 'grant', 'tranche', 'workstream'. */
  readonly entity: string;
  readonly entityId: string;
  /** The record before the change (null when created); plain JSON values only. */
  readonly before: Record<string, unknown> | null;
  /** The record after the change (null when deleted). */
  readonly after: Record<string, unknown> | null;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** For an update, only the fields that changed, on both sides; for a create or delete, the whole record. */
function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown> | null) {
  if (!before || !after) return { before, after };
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const changedBefore: Record<string, unknown> = {};
  const changedAfter: Record<string, unknown> = {};
  for (const key of keys) {
    if (!same(before[key], after[key])) {
      changedBefore[key] = before[key] ?? null;
      changedAfter[key] = after[key] ?? null;
    }
  }
  return { before: changedBefore, after: changedAfter };
}

/**
 * Appends one record to the organisation's chain, inside the caller's transaction so the
 * record exists exactly when the change does. The chain head row is locked until commit,
 * which orders the organisation's records; callers write their audit record last, after any
 * grant lock, so the head is held briefly and always taken after the grant (no deadlock).
 */
export async function recordChange(trx: Transaction<Database>, context: AuditContext, change: Change): Promise<void> {
  const chainId = change.organisationId ?? PLATFORM_CHAIN;
  await sql`INSERT INTO audit_chain_heads (chain_id, seq, hash) VALUES (${chainId}, 0, ${GENESIS_HASH}) ON CONFLICT (chain_id) DO NOTHING`.execute(trx);
  const head = await sql<{ seq: string; hash: string; now: Date }>`
    SELECT seq::text AS seq, hash, now() AS now FROM audit_chain_heads WHERE chain_id = ${chainId} FOR UPDATE`.execute(trx);
  const current = head.rows[0]!;
  const seq = (BigInt(current.seq) + 1n).toString();
  // Millisecond precision, so the stored timestamp reads back exactly as hashed.
  const at = new Date(new Date(current.now).getTime()).toISOString();
  const { before, after } = changedFields(change.before, change.after);
  const fields = {
    chainId,
    seq,
    organisationId: change.organisationId,
    at,
    actorId: context.actorId,
    action: change.action,
    entity: change.entity,
    entityId: change.entityId,
    before,
    after,
    requestId: context.requestId ?? null,
    prevHash: current.hash,
  };
  const hash = hashRecord(fields);
  await trx
    .insertInto('audit_records')
    .values({
      chain_id: chainId,
      seq,
      organisation_id: change.organisationId,
      at: new Date(at),
      actor_id: context.actorId,
      action: change.action,
      entity: change.entity,
      entity_id: change.entityId,
      before: before === null ? null : JSON.stringify(before),
      after: after === null ? null : JSON.stringify(after),
      request_id: context.requestId ?? null,
      prev_hash: current.hash,
      hash,
    })
    .execute();
  await sql`UPDATE audit_chain_heads SET seq = ${seq}::bigint, hash = ${hash} WHERE chain_id = ${chainId}`.execute(trx);
}
