import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/tables.ts';
import { timeSlices } from '../shared/event-loop.ts';
import { OneInFlight } from '../db/pipeline.ts';
import { GENESIS_HASH, PLATFORM_CHAIN, placedHash, type UnplacedText, unplacedText } from './chain.ts';

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

/** A record made ready for the chain: everything but its place (seq and the hash before it). */
interface Prepared {
  readonly chainId: string;
  readonly organisationId: string | null;
  readonly actorId: string | null;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string;
  readonly before: string | null;
  readonly after: string | null;
  readonly requestId: string | null;
  readonly text: UnplacedText;
}

/** `at` is the transaction's start (now()), the same for every record a transaction writes. */
function prepare(at: string, context: AuditContext, change: Change): Prepared {
  const chainId = change.organisationId ?? PLATFORM_CHAIN;
  const { before, after } = changedFields(change.before, change.after);
  const requestId = context.requestId ?? null;
  const fields = {
    chainId,
    organisationId: change.organisationId,
    at,
    actorId: context.actorId,
    action: change.action,
    entity: change.entity,
    entityId: change.entityId,
    before,
    after,
    requestId,
  };
  return {
    chainId,
    organisationId: change.organisationId,
    actorId: context.actorId,
    action: change.action,
    entity: change.entity,
    entityId: change.entityId,
    before: before === null ? null : JSON.stringify(before),
    after: after === null ? null : JSON.stringify(after),
    requestId,
    text: unplacedText(fields),
  };
}

/** Millisecond precision, so the stored timestamp reads back exactly as hashed. */
const auditTime = (now: Date): string => new Date(new Date(now).getTime()).toISOString();

interface HeldBack {
  readonly at: string;
  readonly records: Prepared[];
}

/**
 * Records start to end as the JSON rows writeChain inserts. `before` and `after` are already
 * JSON text (see prepare), so they are placed into the document as they are, not encoded again.
 */
async function auditRowsJson(records: readonly Prepared[], start: number, end: number, seqs: string[], prevHashes: string[], hashes: string[]): Promise<string> {
  const rows: string[] = [];
  const slice = timeSlices();
  for (let index = start; index < end; index++) {
    await slice();
    const r = records[index]!;
    rows.push(
      `{"seq":${seqs[index]},"organisation_id":${JSON.stringify(r.organisationId)},"actor_id":${JSON.stringify(r.actorId)},` +
        `"action":${JSON.stringify(r.action)},"entity":${JSON.stringify(r.entity)},"entity_id":${JSON.stringify(r.entityId)},` +
        `"before":${r.before ?? 'null'},"after":${r.after ?? 'null'},"request_id":${JSON.stringify(r.requestId)},` +
        `"prev_hash":${JSON.stringify(prevHashes[index])},"hash":${JSON.stringify(hashes[index])}}`,
    );
  }
  return `[${rows.join(',')}]`;
}

/** Transactions whose audit records are held back to be chained in one go at their end. */
const heldBack = new WeakMap<Transaction<Database>, HeldBack>();

/**
 * Rows per INSERT: each column travels as one array parameter (unnest), so the bound is work
 * per statement, not parameters; small enough that a commit giving way between statements
 * gives way often (src/spend/service.ts, BATCH_INSERT).
 */
const INSERT_BATCH = 1_000;

/**
 * Appends one record to the organisation's chain, inside the caller's transaction so the
 * record exists exactly when the change does. The chain head row is locked until commit,
 * which orders the organisation's records; callers write their audit record last, after any
 * grant lock, so the head is held briefly and always taken after the grant (no deadlock).
 * Inside chainAuditAtEnd the record is held back and chained when that work is done.
 */
export async function recordChange(trx: Transaction<Database>, context: AuditContext, change: Change): Promise<void> {
  const held = heldBack.get(trx);
  if (held) {
    held.records.push(prepare(held.at, context, change));
    return;
  }
  const chainId = change.organisationId ?? PLATFORM_CHAIN;
  const head = await lockHead(trx, chainId);
  const at = auditTime(head.now);
  await writeChain(trx, chainId, head, [prepare(at, context, change)], at);
}

/**
 * recordChange for work that has its records held back (inside chainAuditAtEnd), without
 * waiting: the record is made ready at once (its text serialised), and chained at the end.
 * For a caller with a statement in flight on the transaction, which must not send another.
 */
export function holdChange(trx: Transaction<Database>, context: AuditContext, change: Change): void {
  const held = heldBack.get(trx);
  if (!held) throw new Error('holdChange is for work inside chainAuditAtEnd');
  held.records.push(prepare(held.at, context, change));
}

/**
 * Runs long work (an import of thousands of rows) with its audit records held back, then
 * chains them all at its end, still inside the transaction. The chain head is the one lock
 * every write of an organisation shares: taken by the first row and kept to the commit, it
 * would queue all the organisation's other writes behind the whole import. Taken last, it is
 * held only for the final inserts. The records are the same ones, in the same order, made
 * ready (serialised) as they are recorded, so that at the end only their place is hashed.
 */
export async function chainAuditAtEnd<T>(trx: Transaction<Database>, work: () => Promise<T>): Promise<T> {
  if (heldBack.has(trx)) return work();
  const now = await sql<{ now: Date }>`SELECT now() AS now`.execute(trx);
  const held: HeldBack = { at: auditTime(now.rows[0]!.now), records: [] };
  heldBack.set(trx, held);
  let result: T;
  try {
    result = await work();
  } finally {
    heldBack.delete(trx);
  }
  const byChain = new Map<string, Prepared[]>();
  for (const record of held.records) {
    const chain = byChain.get(record.chainId);
    if (chain) chain.push(record);
    else byChain.set(record.chainId, [record]);
  }
  // Heads in a fixed order, so two batches touching the same chains cannot deadlock.
  for (const chainId of [...byChain.keys()].sort()) {
    await writeChain(trx, chainId, await lockHead(trx, chainId), byChain.get(chainId)!, held.at);
  }
  return result;
}

interface Head {
  readonly seq: string;
  readonly hash: string;
  readonly now: Date;
}

async function lockHead(trx: Transaction<Database>, chainId: string): Promise<Head> {
  await sql`INSERT INTO audit_chain_heads (chain_id, seq, hash) VALUES (${chainId}, 0, ${GENESIS_HASH}) ON CONFLICT (chain_id) DO NOTHING`.execute(trx);
  const head = await sql<Head>`
    SELECT seq::text AS seq, hash, now() AS now FROM audit_chain_heads WHERE chain_id = ${chainId} FOR UPDATE`.execute(trx);
  return head.rows[0]!;
}

/**
 * Places the records after the head, hashes each onto the one before, and inserts them: each
 * batch (INSERT_BATCH rows) encoded while the one before it is written. Hashing is sequential (each
 * record holds the one before's hash) and yields to other requests every thousand records.
 */
async function writeChain(trx: Transaction<Database>, chainId: string, head: Head, records: readonly Prepared[], at: string): Promise<void> {
  let seq = BigInt(head.seq);
  let prevHash = head.hash;
  const seqs: string[] = new Array(records.length);
  const prevHashes: string[] = new Array(records.length);
  const hashes: string[] = new Array(records.length);
  const slice = timeSlices();
  for (const [index, record] of records.entries()) {
    await slice();
    seq += 1n;
    seqs[index] = seq.toString();
    prevHashes[index] = prevHash;
    prevHash = placedHash(record.text, seqs[index], prevHash);
    hashes[index] = prevHash;
  }
  const writes = new OneInFlight();
  try {
    for (let start = 0; start < records.length; start += INSERT_BATCH) {
      const rows = await auditRowsJson(records, start, Math.min(start + INSERT_BATCH, records.length), seqs, prevHashes, hashes);
      // One statement of rows as one JSON document rather than thirteen parameters a row: a
      // whole import's records cost a few round trips, and the parameters need no binding one by one.
      await writes.next(async () => {
        await sql`
          INSERT INTO audit_records (chain_id, seq, organisation_id, at, actor_id, action, entity, entity_id, before, after, request_id, prev_hash, hash)
          SELECT ${chainId}::uuid, seq, organisation_id, ${new Date(at)}::timestamptz, actor_id, action, entity, entity_id, before, after, request_id, prev_hash, hash
          FROM json_to_recordset(${rows}::json)
            AS t(seq bigint, organisation_id uuid, actor_id uuid, action text, entity text, entity_id text, before jsonb, after jsonb,
                 request_id text, prev_hash text, hash text)
        `.execute(trx);
      });
    }
    await writes.finish();
  } catch (error) {
    await writes.abandon();
    throw error;
  }
  await sql`UPDATE audit_chain_heads SET seq = ${seq.toString()}::bigint, hash = ${prevHash} WHERE chain_id = ${chainId}`.execute(trx);
}
