import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Actor } from '../../auth/access.ts';
import type { Database } from '../../db/tables.ts';
import type { FieldError } from '../../shared/problems.ts';
import { assessmentDate } from '../shared/dates.ts';
import { validFields } from '../shared/links.ts';
import { overlay } from '../shared/schemas.ts';
import { tableCollection } from '../shared/repository.ts';
import { findRisk, listRisks, type Risk, riskColumns, type RiskFields } from './repository.ts';
import { createRiskBody, presentRisk, riskQuery, riskSchema, updateRiskBody } from './schemas.ts';

type Given = z.output<typeof updateRiskBody>;

const EMPTY = { ref: null, description: null, owner: null, workstreamId: null, assessmentComment: null, mitigation: null, status: 'open', reviewOn: null } as const;

/**
 * A new likelihood, impact or comment is a new assessment: dated today unless told, with no
 * comment unless given. The database keeps every assessment in the risk's score history.
 */
function assessed(base: RiskFields, given: Given, current: Risk | null, today: string): { fields: RiskFields; errors: FieldError[] } {
  const reassessed = [given.likelihood, given.impact, given.assessedOn, given.assessmentComment].some((value) => value !== undefined);
  if (current && !reassessed) return { fields: base, errors: [] };
  const { date: assessedOn, errors } = assessmentDate(given.assessedOn, current?.assessedOn, 'assessedOn', 'assessment', today);
  return { fields: { ...base, assessedOn, assessmentComment: given.assessmentComment ?? null }, errors };
}

async function prepare(trx: Transaction<Database>, actor: Actor, base: RiskFields, given: Given, current: Risk | null): Promise<RiskFields> {
  const { fields, errors } = assessed(base, given, current, actor.today);
  return validFields(trx, actor.organisationId, fields, current, errors, { workstreamId: 'workstreams' });
}

export const risks = tableCollection({
  entity: 'risk',
  table: 'risks',
  find: findRisk,
  columns: riskColumns,
  uniqueKeys: { risks_ref_key: { path: 'ref', message: 'This organisation already has a risk with that ref.' } },
  path: 'risks',
  noun: 'risk (owner, likelihood and impact 1–5, mitigation, status, review date)',
  plural: 'risks, highest score first',
  schemas: { create: createRiskBody, update: updateRiskBody, query: riskQuery, item: riskSchema },
  present: presentRisk,
  list: listRisks,
  prepareCreate: (trx, actor, body) => prepare(trx, actor, { ...EMPTY, ...body, assessedOn: body.assessedOn ?? actor.today }, body, null),
  prepareUpdate: (trx, actor, current, body) => prepare(trx, actor, overlay<RiskFields>(current, body), body, current),
});
