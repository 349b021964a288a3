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
