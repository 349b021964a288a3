import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/tables.ts';
import { ITEMS_BETWEEN_YIELDS, yieldToEventLoop } from '../shared/event-loop.ts';
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

interface PendingChange {
  readonly context: AuditContext;
  readonly change: Change;
}

/** Transactions whose audit records are held back to be chained in one go at their end. */
const heldBack = new WeakMap<Transaction<Database>, PendingChange[]>();

/** Rows per INSERT: each column travels as one array parameter (unnest), so the bound is work per statement, not parameters. */
const INSERT_BATCH = 10_000;

/**
 * Appends one record to the organisation's chain, inside the caller's transaction so the
 * record exists exactly when the change does. The chain head row is locked until commit,
 * which orders the organisation's records; callers write their audit record last, after any
 * grant lock, so the head is held briefly and always taken after the grant (no deadlock).
 * Inside chainAuditAtEnd the record is held back and chained when that work is done.
 */
export async function recordChange(trx: Transaction<Database>, context: AuditContext, change: Change): Promise<void> {
  const pending = heldBack.get(trx);
  if (pending) {
    pending.push({ context, change });
    return;
  }
  await appendToChains(trx, [{ context, change }]);
}

/**
 * Runs long work (an import of thousands of rows) with its audit records held back, then
 * chains them all at its end, still inside the transaction. The chain head is the one lock
 * every write of an organisation shares: taken by the first row and kept to the commit, it
 * would queue all the organisation's other writes behind the whole import. Taken last, it is
 * held only for the final inserts. The records are the same ones, in the same order.
 */
export async function chainAuditAtEnd<T>(trx: Transaction<Database>, work: () => Promise<T>): Promise<T> {
  if (heldBack.has(trx)) return work();
  const pending: PendingChange[] = [];
  heldBack.set(trx, pending);
  let result: T;
  try {
    result = await work();
  } finally {
    heldBack.delete(trx);
  }
  await appendToChains(trx, pending);
  return result;
}

async function appendToChains(trx: Transaction<Database>, pending: readonly PendingChange[]): Promise<void> {
  const byChain = new Map<string, PendingChange[]>();
  for (const each of pending) {
    const chainId = each.change.organisationId ?? PLATFORM_CHAIN;
    const chain = byChain.get(chainId);
    if (chain) chain.push(each);
    else byChain.set(chainId, [each]);
  }
  // Heads in a fixed order, so two batches touching the same chains cannot deadlock.
  for (const chainId of [...byChain.keys()].sort()) await appendToChain(trx, chainId, byChain.get(chainId)!);
}

interface AuditRow {
  readonly seq: string;
  readonly organisation_id: string | null;
  readonly actor_id: string | null;
  readonly action: string;
  readonly entity: string;
  readonly entity_id: string;
  readonly before: string | null;
  readonly after: string | null;
  readonly request_id: string | null;
  readonly prev_hash: string;
  readonly hash: string;
}

async function appendToChain(trx: Transaction<Database>, chainId: string, pending: readonly PendingChange[]): Promise<void> {
  await sql`INSERT INTO audit_chain_heads (chain_id, seq, hash) VALUES (${chainId}, 0, ${GENESIS_HASH}) ON CONFLICT (chain_id) DO NOTHING`.execute(trx);
  const head = await sql<{ seq: string; hash: string; now: Date }>`
    SELECT seq::text AS seq, hash, now() AS now FROM audit_chain_heads WHERE chain_id = ${chainId} FOR UPDATE`.execute(trx);
  const current = head.rows[0]!;
  // Millisecond precision, so the stored timestamp reads back exactly as hashed.
  const at = new Date(new Date(current.now).getTime()).toISOString();
  let seq = BigInt(current.seq);
  let prevHash = current.hash;
  const rows: AuditRow[] = [];
  // Hashing is sequential (each record holds the one before's hash) and takes a few seconds
  // for a year's ledger: it yields to other requests every thousand records.
  for (const [index, { context, change }] of pending.entries()) {
    if (index > 0 && index % ITEMS_BETWEEN_YIELDS === 0) await yieldToEventLoop();
    seq += 1n;
    const { before, after } = changedFields(change.before, change.after);
    const fields = {
      chainId,
      seq: seq.toString(),
      organisationId: change.organisationId,
      at,
      actorId: context.actorId,
      action: change.action,
      entity: change.entity,
      entityId: change.entityId,
      before,
      after,
      requestId: context.requestId ?? null,
      prevHash,
    };
    const hash = hashRecord(fields);
    const row: AuditRow = {
      seq: fields.seq,
      organisation_id: change.organisationId,
      actor_id: context.actorId,
      action: change.action,
      entity: change.entity,
      entity_id: change.entityId,
      before: before === null ? null : JSON.stringify(before),
      after: after === null ? null : JSON.stringify(after),
      request_id: context.requestId ?? null,
      prev_hash: prevHash,
      hash,
    };
    prevHash = hash;
    rows.push(row);
  }
  for (let start = 0; start < rows.length; start += INSERT_BATCH) {
    const batch = rows.slice(start, start + INSERT_BATCH);
    const column = <T>(pick: (row: (typeof rows)[number]) => T): T[] => batch.map(pick);
    // One statement of arrays rather than thirteen parameters a row: a whole import's records
    // cost a few round trips, and the parameters need no binding one by one.
    await sql`
      INSERT INTO audit_records (chain_id, seq, organisation_id, at, actor_id, action, entity, entity_id, before, after, request_id, prev_hash, hash)
      SELECT ${chainId}::uuid, seq, organisation_id, ${new Date(at)}::timestamptz, actor_id, action, entity, entity_id, before, after, request_id, prev_hash, hash
      FROM unnest(${column((r) => r.seq)}::bigint[], ${column((r) => r.organisation_id)}::uuid[], ${column((r) => r.actor_id)}::uuid[],
                  ${column((r) => r.action)}::text[], ${column((r) => r.entity)}::text[], ${column((r) => r.entity_id)}::text[],
                  ${column((r) => r.before)}::jsonb[], ${column((r) => r.after)}::jsonb[], ${column((r) => r.request_id)}::text[],
                  ${column((r) => r.prev_hash)}::text[], ${column((r) => r.hash)}::text[])
        AS t(seq, organisation_id, actor_id, action, entity, entity_id, before, after, request_id, prev_hash, hash)
    `.execute(trx);
  }
  await sql`UPDATE audit_chain_heads SET seq = ${seq.toString()}::bigint, hash = ${prevHash} WHERE chain_id = ${chainId}`.execute(trx);
}
