import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/tables.ts';
import type { FieldError } from '../../shared/problems.ts';

export type LinkTable = 'governance_bodies' | 'meetings' | 'decisions' | 'workstreams' | 'commitments';

const NOUN: Record<LinkTable, string> = {
  governance_bodies: 'governance body',
  meetings: 'meeting',
  decisions: 'decision',
  workstreams: 'workstream',
  commitments: 'commitment line',
};

export interface Link {
  /** The body field that names the record, e.g. "commitmentId". */
  readonly path: string;
  readonly table: LinkTable;
  readonly id: string | null | undefined;
  /** The id the record pointed at before this change; an unchanged link is not checked again. */
  readonly previous?: string | null;
}

/**
 * Each link must name a record of this organisation: another council's id is refused exactly
 * like an unknown one, so the answer reveals nothing. (The composite foreign keys refuse it
 * again should this check ever be skipped.) A newly chosen commitment line must also be live.
 */
export async function linkErrors(trx: Transaction<Database>, organisationId: string, links: readonly Link[]): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  for (const link of links) {
    if (!link.id || link.id === link.previous) continue;
    const status = link.table === 'commitments' ? sql`status` : sql`NULL`;
    const found = await sql<{ status: string | null }>`
      SELECT ${status} AS status FROM ${sql.table(link.table)} WHERE organisation_id = ${organisationId} AND id = ${link.id}`.execute(trx);
    const row = found.rows[0];
    if (!row) errors.push({ path: link.path, message: `is not a ${NOUN[link.table]} of this organisation` });
    else if (row.status === 'withdrawn') errors.push({ path: link.path, message: 'is a withdrawn line' });
  }
  return errors;
}
