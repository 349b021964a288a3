import type { Kysely } from 'kysely';
import { findActorNames, findAuditRecords } from '../audit/repository.ts';
import type { Database } from '../db/tables.ts';
import { Decimal, formatPounds } from '../shared/money.ts';
import { findCommitmentVersions } from './repository.ts';

export interface VersionChange {
  readonly version: number;
  readonly recordedAt: Date;
  readonly by: string;
  readonly changes: readonly string[];
}

const FIELDS = [
  ['ref', 'Line number'],
  ['title', 'Title'],
  ['category', 'Category'],
  ['amount', 'Amount'],
  ['status', 'Status'],
  ['committed_on', 'Date approved'],
  ['decision_ref', 'Decision'],
  ['approved_by', 'Approved by'],
  ['service_area', 'Service area'],
  ['notes', 'Notes'],
] as const;

function shown(field: string, value: string | null): string {
  if (value === null || value === '') return field === 'amount' ? 'tbc' : '(none)';
  return field === 'amount' ? formatPounds(new Decimal(value)) : value;
}

/** Every version the database kept of the line (commitment_versions), each with what it changed. */
export async function lineVersions(db: Kysely<Database>, organisationId: string, commitmentId: string): Promise<VersionChange[]> {
  const rows = await findCommitmentVersions(db, organisationId, commitmentId);
  return rows.map((row, index) => {
    const previous = index > 0 ? rows[index - 1] : undefined;
    const changes = previous
      ? FIELDS.filter(([field]) => previous[field] !== row[field]).map(([field, label]) => `${label}: ${shown(field, previous[field])} → ${shown(field, row[field])}`)
      : ['Created'];
    return { version: row.version, recordedAt: row.recorded_at, by: row.by ?? 'system', changes };
  });
}

export interface AuditEntry {
  readonly at: Date;
  readonly action: string;
  readonly by: string;
  readonly requestId: string | null;
}

/** The audit trail's records of the line: who did what, when, and in which request. */
export async function lineAuditTrail(db: Kysely<Database>, organisationId: string, commitmentId: string): Promise<AuditEntry[]> {
  const records = await findAuditRecords(db, organisationId, { entity: 'commitment', entityId: commitmentId, limit: 500 });
  const actorIds = [...new Set(records.map((r) => r.actorId).filter((id): id is string => id !== null))];
  const names = await findActorNames(db, actorIds);
  const nameOf = new Map(names.map((u) => [u.id, u.name]));
  return records.map((r) => ({ at: r.at, action: r.action, by: (r.actorId && nameOf.get(r.actorId)) ?? 'system', requestId: r.requestId }));
}
