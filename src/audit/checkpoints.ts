import type { Kysely } from 'kysely';
import type { CheckpointReason, Database } from '../db/tables.ts';
import { startOfLondonDay, todayInLondon } from '../shared/calendar.ts';
import { PLATFORM_CHAIN } from './chain.ts';
import { findChainHead, findCheckpoints, hasCheckpointSince, insertCheckpoint, type StoredCheckpoint, verifyChain } from './repository.ts';
import type { AuditSigner } from './signing.ts';

export interface Checkpoint {
  readonly id: string;
  readonly seq: string;
  readonly hash: string;
  readonly signedAt: string;
  readonly reason: CheckpointReason;
  readonly keyId: string;
  readonly publicKey: string;
  readonly signature: string;
}

/**
 * Signs the chain's committed head now. Every caller (the on-demand route, the daily
 * checkpoint, a submission) comes here, so every checkpoint is signed the same way. Without a
 * lock: the head read is a committed state, and a write landing meanwhile is simply covered by
 * the next checkpoint.
 */
export async function takeCheckpoint(db: Kysely<Database>, signer: AuditSigner, organisationId: string | null, reason: CheckpointReason, now: Date): Promise<Checkpoint> {
  const chainId = organisationId ?? PLATFORM_CHAIN;
  const head = await findChainHead(db, chainId);
  // Millisecond precision, so the stored instant reads back exactly as signed.
  const signedAt = new Date(now.getTime()).toISOString();
  const signature = signer.sign({ chainId, seq: head.seq, hash: head.hash, signedAt });
  const stored = await insertCheckpoint(db, {
    chainId,
    organisationId,
    seq: head.seq,
    hash: head.hash,
    signedAt: new Date(signedAt),
    reason,
    keyId: signer.keyId,
    publicKey: signer.publicKey,
    signature,
  });
  return { ...stored, signedAt, publicKey: signer.publicKey };
}

/** The first write of each UK day signs the head it leaves, so no day's records go unsigned. */
export async function takeDailyCheckpoint(db: Kysely<Database>, signer: AuditSigner, organisationId: string, now: Date): Promise<void> {
  if (await hasCheckpointSince(db, organisationId, startOfLondonDay(todayInLondon(now)))) return;
  await takeCheckpoint(db, signer, organisationId, 'daily', now);
}

export interface UnreachableCheckpoint {
  readonly id: string;
  readonly seq: string;
  readonly signedAt: string;
  readonly reason: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly records: number;
  readonly firstBadRecord?: string;
  readonly reason?: string;
  readonly checkpoints: {
    /** Checkpoints signed with the configured key, each checked. */
    readonly checked: number;
    /** Checkpoints signed with another key (an earlier one): this instance cannot vouch for them. */
    readonly otherKeys: number;
    /** The lowest checkpoint whose signature fails or whose head the chain no longer holds. */
    readonly firstUnreachable?: UnreachableCheckpoint;
  };
}

/**
 * Re-walks the chain, then holds it against every checkpoint signed with the configured key:
 * the signature must be the key's over that head, and the sound part of the chain must hold the
 * same hash at that sequence number. A perfect rewrite (every later hash recomputed, the head
 * reset) passes the walk but not the checkpoints signed before it.
 */
export async function verifyAudit(db: Kysely<Database>, signer: AuditSigner, organisationId: string): Promise<AuditVerification> {
  const checkpoints = await findCheckpoints(db, organisationId);
  const ours = checkpoints.filter((checkpoint) => checkpoint.keyId === signer.keyId);
  const chain = await verifyChain(db, organisationId, new Set(ours.map((checkpoint) => checkpoint.seq)));
  let firstUnreachable: UnreachableCheckpoint | undefined;
  for (const checkpoint of ours) {
    const failure = checkpointFailure(signer, organisationId, checkpoint, chain.hashesAt);
    if (failure) {
      firstUnreachable = { id: checkpoint.id, seq: checkpoint.seq, signedAt: checkpoint.signedAt.toISOString(), reason: failure };
      break;
    }
  }
  return {
    ok: chain.ok && !firstUnreachable,
    records: chain.records,
    ...(chain.firstBadRecord === undefined ? {} : { firstBadRecord: chain.firstBadRecord }),
    ...(chain.reason === undefined ? {} : { reason: chain.reason }),
    checkpoints: { checked: ours.length, otherKeys: checkpoints.length - ours.length, ...(firstUnreachable ? { firstUnreachable } : {}) },
  };
}

function checkpointFailure(signer: AuditSigner, chainId: string, checkpoint: StoredCheckpoint, hashesAt: ReadonlyMap<string, string>): string | undefined {
  const head = { chainId, seq: checkpoint.seq, hash: checkpoint.hash, signedAt: checkpoint.signedAt.toISOString() };
  if (!signer.verify(head, checkpoint.signature)) return 'its signature does not verify';
  if (hashesAt.get(checkpoint.seq) !== checkpoint.hash) return 'the chain no longer reaches it';
  return undefined;
}
