import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

/** Keys sorted at every depth: the same record always hashes the same, however jsonb reorders it. */
export const canonicalJson = configure({ deterministic: true, bigint: false, circularValue: Error });

export const GENESIS_HASH = '0'.repeat(64);
/** The chain for events that belong to no organisation (schemes, platform administrators). */
export const PLATFORM_CHAIN = '00000000-0000-0000-0000-000000000000';

export interface HashedFields {
  readonly chainId: string;
  readonly seq: string;
  readonly organisationId: string | null;
  readonly at: string;
  readonly actorId: string | null;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly requestId: string | null;
  readonly prevHash: string;
}

export function hashRecord(fields: HashedFields): string {
  return createHash('sha256')
    .update(canonicalJson(fields) ?? '', 'utf8')
    .digest('hex');
}

/** A record's fields but its place in the chain, which is known only once the head is locked. */
export type UnplacedFields = Omit<HashedFields, 'seq' | 'prevHash'>;

/** The canonical text of an unplaced record, in the two parts its place goes between. */
export interface UnplacedText {
  readonly head: string;
  readonly tail: string;
}

/**
 * hashRecord in two steps, for records made ready before their place in the chain is known (an
 * import's 50,000 audit records, serialised while its payments are written, then only placed
 * and hashed once the chain head is locked). The canonical form sorts keys, and `prevHash`,
 * `requestId` and `seq` sort after every other field, so the text is the other fields' text
 * with those three appended in that order. test/audit/chain.unit.test.ts holds placedHash to
 * hashRecord.
 */
export function unplacedText(fields: UnplacedFields): UnplacedText {
  const { requestId, ...rest } = fields;
  return { head: `${canonicalJson(rest)!.slice(0, -1)},"prevHash":`, tail: `,"requestId":${canonicalJson(requestId)},"seq":` };
}

export function placedHash(text: UnplacedText, seq: string, prevHash: string): string {
  return createHash('sha256')
    .update(`${text.head}${canonicalJson(prevHash)}${text.tail}${canonicalJson(seq)}}`, 'utf8')
    .digest('hex');
}
