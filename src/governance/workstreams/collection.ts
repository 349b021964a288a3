import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Actor } from '../../auth/access.ts';
import type { Database } from '../../db/tables.ts';
import type { FieldError } from '../../shared/problems.ts';
import { assessmentDate } from '../shared/dates.ts';
import { validFields } from '../shared/links.ts';
import { overlay } from '../shared/schemas.ts';
import { tableCollection } from '../shared/repository.ts';
import { findWorkstream, listWorkstreams, type Workstream, workstreamColumns, type WorkstreamFields } from './repository.ts';
import { createWorkstreamBody, presentWorkstream, updateWorkstreamBody, workstreamQuery, workstreamSchema } from './schemas.ts';

type Given = z.output<typeof updateWorkstreamBody>;

const EMPTY = { lead: null, governanceBodyId: null, status: 'active', rag: null, ragDate: null, ragComment: null, notes: null } as const;

/**
 * Any of rag, ragComment or ragDate makes a new rating: the rating given (or the current one
 * restated), its comment (none unless given) and its date (today unless given). The database
 * appends each rating to the workstream's history.
 */
function rated(base: WorkstreamFields, given: Given, current: Workstream | null, today: string): { fields: WorkstreamFields; errors: FieldError[] } {
  if (given.rag === undefined && given.ragComment === undefined && given.ragDate === undefined) return { fields: base, errors: [] };
  const rag = given.rag ?? current?.rag ?? null;
  const { date: ragDate, errors } = assessmentDate(given.ragDate, current?.ragDate, 'ragDate', 'rating', today);
  if (rag === null) errors.push({ path: 'rag', message: 'is required with ragComment or ragDate while the workstream has no rating' });
  return { fields: { ...base, rag, ragDate: rag === null ? null : ragDate, ragComment: given.ragComment ?? null }, errors };
}

async function prepare(trx: Transaction<Database>, actor: Actor, base: WorkstreamFields, given: Given, current: Workstream | null): Promise<WorkstreamFields> {
  const { fields, errors } = rated(base, given, current, actor.today);
  return validFields(trx, actor.organisationId, fields, current, errors, { governanceBodyId: 'governance_bodies' });
}

export const workstreams = tableCollection({
  entity: 'workstream',
  table: 'workstreams',
  find: findWorkstream,
  columns: workstreamColumns,
  uniqueKeys: { workstreams_name_key: { path: 'name', message: 'This organisation already has a workstream of that name.' } },
  path: 'workstreams',
  noun: 'workstream (objectives, lead, the body it reports to, status and RAG rating)',
  plural: 'workstreams',
  schemas: { create: createWorkstreamBody, update: updateWorkstreamBody, query: workstreamQuery, item: workstreamSchema },
  present: presentWorkstream,
  list: listWorkstreams,
  prepareCreate: (trx, actor, body) => prepare(trx, actor, { ...EMPTY, ...body, rag: null, ragDate: null, ragComment: null }, body, null),
  prepareUpdate: (trx, actor, current, body) => prepare(trx, actor, overlay<WorkstreamFields>(current, body), body, current),
});
