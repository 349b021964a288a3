import type { Kysely } from 'kysely';
import { camelRow } from '../db/rows.ts';
import type { CheckpointReason, Database } from '../db/tables.ts';
import { GENESIS_HASH, hashRecord } from './chain.ts';

export interface AuditRecord {
  readonly seq: string;
  readonly at: Date;
  readonly actorId: string | null;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly requestId: string | null;
}

export interface AuditFilter {
  readonly entity?: string | undefined;
  readonly entityId?: string | undefined;
  readonly actor?: string | undefined;
  /** Inclusive lower bound. */
  readonly from?: Date | undefined;
  /** Exclusive upper bound. */
  readonly to?: Date | undefined;
  readonly limit: number;
  /** Records after this sequence number (for paging). */
  readonly afterSeq?: string | undefined;
}

export async function findAuditRecords(db: Kysely<Database>, organisationId: string, filter: AuditFilter): Promise<AuditRecord[]> {
  let query = db
    .selectFrom('audit_records')
    .select(['seq', 'at', 'actor_id', 'action', 'entity', 'entity_id', 'before', 'after', 'request_id'])
    .where('chain_id', '=', organisationId);
  if (filter.entity) query = query.where('entity', '=', filter.entity);
  if (filter.entityId) query = query.where('entity_id', '=', filter.entityId);
  if (filter.actor) query = query.where('actor_id', '=', filter.actor);
  if (filter.from) query = query.where('at', '>=', filter.from);
  if (filter.to) query = query.where('at', '<', filter.to);
  if (filter.afterSeq) query = query.where('seq', '>', filter.afterSeq);
  const rows = await query.orderBy('seq').limit(filter.limit).execute();
  return rows.map((row) => ({ ...camelRow(row), seq: String(row.seq) }));
}

/** What changed after one seq up to another in a chain, oldest first: each record's entity and its id. */
export async function findChangesBetween(db: Kysely<Database>, chainId: string, afterSeq: string, uptoSeq: string): Promise<{ entity: string; entityId: string }[]> {
  const rows = await db
    .selectFrom('audit_records')
    .select(['entity', 'entity_id'])
    .where('chain_id', '=', chainId)
    .where('seq', '>', afterSeq)
    .where('seq', '<=', uptoSeq)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({ entity: row.entity, entityId: row.entity_id }));
}

export interface ChainVerification {
  readonly ok: boolean;
  readonly records: number;
  /** The sequence number of the first record that is missing, altered or out of place. */
  readonly firstBadRecord?: string;
  readonly reason?: string;
  /** The hash the sound part of the chain holds at each sequence number asked about ('0': the genesis). */
  readonly hashesAt: ReadonlyMap<string, string>;
}

const PAGE = 5_000;

/**
 * Walks the organisation's chain in order, recomputing each hash from the stored fields and
 * checking each record names its predecessor's hash and the next sequence number, then that
 * the chain head agrees with the last record (so deleting the newest records shows too).
 */
export async function verifyChain(db: Kysely<Database>, chainId: string, seqsWanted: ReadonlySet<string> = new Set()): Promise<ChainVerification> {
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1n;
  let records = 0;
  const hashesAt = new Map<string, string>();
  if (seqsWanted.has('0')) hashesAt.set('0', GENESIS_HASH);
  for (;;) {
    const rows = await db
      .selectFrom('audit_records')
      .select(['chain_id', 'seq', 'organisation_id', 'at', 'actor_id', 'action', 'entity', 'entity_id', 'before', 'after', 'request_id', 'prev_hash', 'hash'])
      .where('chain_id', '=', chainId)
      .where('seq', '>=', expectedSeq.toString())
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const seq = String(row.seq);
      const bad = (reason: string): ChainVerification => ({ ok: false, records, firstBadRecord: BigInt(seq) === expectedSeq ? seq : expectedSeq.toString(), reason, hashesAt });
      if (BigInt(seq) !== expectedSeq) return bad('a record is missing');
      if (row.prev_hash !== expectedPrev) return bad('the record does not follow its predecessor');
      // Field by field, not camelRow: the hash covers exactly these, whatever else the select grows.
      const recomputed = hashRecord({
        chainId: row.chain_id,
        seq,
        organisationId: row.organisation_id,
        at: row.at.toISOString(),
        actorId: row.actor_id,
        action: row.action,
        entity: row.entity,
        entityId: row.entity_id,
        before: row.before,
        after: row.after,
        requestId: row.request_id,
        prevHash: row.prev_hash,
      });
      if (recomputed !== row.hash) return bad('the record was altered');
      records += 1;
      if (seqsWanted.has(seq)) hashesAt.set(seq, row.hash);
      expectedPrev = row.hash;
      expectedSeq += 1n;
    }
    if (rows.length < PAGE) break;
  }
  const head = await db.selectFrom('audit_chain_heads').select(['seq', 'hash']).where('chain_id', '=', chainId).executeTakeFirst();
  if (head && (BigInt(head.seq) !== expectedSeq - 1n || head.hash !== expectedPrev)) {
    return { ok: false, records, firstBadRecord: expectedSeq.toString(), reason: 'records after this one were removed', hashesAt };
  }
  return { ok: true, records, hashesAt };
}

/** The names of the people an audit trail records, by id. */
export async function findActorNames(db: Kysely<Database>, userIds: readonly string[]): Promise<{ id: string; name: string }[]> {
  return userIds.length ? db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute() : [];
}

export interface ChainHead {
  readonly seq: string;
  readonly hash: string;
}

/** The chain's head as committed; an organisation that has written nothing yet is at the genesis. */
export async function findChainHead(db: Kysely<Database>, chainId: string): Promise<ChainHead> {
  const head = await db.selectFrom('audit_chain_heads').select(['seq', 'hash']).where('chain_id', '=', chainId).executeTakeFirst();
  return head ? { seq: String(head.seq), hash: head.hash } : { seq: '0', hash: GENESIS_HASH };
}

export interface StoredCheckpoint {
  readonly id: string;
  readonly seq: string;
  readonly hash: string;
  readonly signedAt: Date;
  readonly reason: CheckpointReason;
  readonly keyId: string;
  readonly signature: string;
}

export interface NewCheckpoint {
  readonly chainId: string;
  readonly organisationId: string | null;
  readonly seq: string;
  readonly hash: string;
  readonly signedAt: Date;
  readonly reason: CheckpointReason;
  readonly keyId: string;
  readonly publicKey: string;
  readonly signature: string;
}

export async function insertCheckpoint(db: Kysely<Database>, checkpoint: NewCheckpoint): Promise<StoredCheckpoint> {
  const row = await db
    .insertInto('audit_checkpoints')
    .values({
      chain_id: checkpoint.chainId,
      organisation_id: checkpoint.organisationId,
      seq: checkpoint.seq,
      hash: checkpoint.hash,
      signed_at: checkpoint.signedAt,
      reason: checkpoint.reason,
      key_id: checkpoint.keyId,
      public_key: checkpoint.publicKey,
      signature: checkpoint.signature,
    })
    .returning(['id', 'seq', 'hash', 'signed_at', 'reason', 'key_id', 'signature'])
    .executeTakeFirstOrThrow();
  return toCheckpoint(row);
}

/** Every checkpoint of the chain, lowest sequence number first (then in the order signed). */
export async function findCheckpoints(db: Kysely<Database>, chainId: string): Promise<StoredCheckpoint[]> {
  const rows = await db
    .selectFrom('audit_checkpoints')
    .select(['id', 'seq', 'hash', 'signed_at', 'reason', 'key_id', 'signature'])
    .where('chain_id', '=', chainId)
    .orderBy('seq')
    .orderBy('id')
    .execute();
  return rows.map(toCheckpoint);
}

/** Whether the chain has a checkpoint signed at or after this instant. */
export async function hasCheckpointSince(db: Kysely<Database>, chainId: string, since: Date): Promise<boolean> {
  const row = await db.selectFrom('audit_checkpoints').select('id').where('chain_id', '=', chainId).where('signed_at', '>=', since).limit(1).executeTakeFirst();
  return row !== undefined;
}

function toCheckpoint(row: { id: string; seq: string; hash: string; signed_at: Date; reason: CheckpointReason; key_id: string; signature: string }): StoredCheckpoint {
  return { id: String(row.id), seq: String(row.seq), hash: row.hash, signedAt: row.signed_at, reason: row.reason, keyId: row.key_id, signature: row.signature };
}
