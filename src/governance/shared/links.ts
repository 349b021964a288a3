import type { Transaction } from 'kysely';
import type { Database } from '../../db/tables.ts';
import { type FieldError, ValidationProblem } from '../../shared/problems.ts';
import { findLinkedRecord } from './repository.ts';

export type LinkTable = 'governance_bodies' | 'meetings' | 'decisions' | 'workstreams' | 'commitments';

const NOUN: Record<LinkTable, string> = {
  governance_bodies: 'governance body',
  meetings: 'meeting',
  decisions: 'decision',
  workstreams: 'workstream',
  commitments: 'commitment line',
};

function isLinkTable(value: unknown): value is LinkTable {
  return typeof value === 'string' && Object.hasOwn(NOUN, value);
}

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
    const row = await findLinkedRecord(trx, link.table, organisationId, link.id);
    if (!row) errors.push({ path: link.path, message: `is not a ${NOUN[link.table]} of this organisation` });
    else if (row.status === 'withdrawn') errors.push({ path: link.path, message: 'is a withdrawn line' });
  }
  return errors;
}

/** The fields of a kind that name other records, and the table each names: { workstreamId: 'workstreams' }. */
export type LinkFields<Fields> = Partial<Record<Extract<keyof Fields, string>, LinkTable>>;

/**
 * The record as it will be written, once its own checks (`errors`) and its links pass; one 400
 * names every refused field. Links unchanged since `current` are not checked again.
 */
export async function validFields<Fields extends object>(
  trx: Transaction<Database>,
  organisationId: string,
  fields: Fields,
  current: Fields | null,
  errors: readonly FieldError[],
  links: LinkFields<Fields>,
): Promise<Fields> {
  const now = new Map(Object.entries(fields));
  const before = new Map(Object.entries(current ?? {}));
  const asId = (value: unknown) => (typeof value === 'string' ? value : null);
  const checked = Object.entries(links).flatMap(([path, table]) => (isLinkTable(table) ? [{ path, table, id: asId(now.get(path)), previous: asId(before.get(path)) }] : []));
  const all = [...errors, ...(await linkErrors(trx, organisationId, checked))];
  if (all.length > 0) throw new ValidationProblem(all);
  return fields;
}
