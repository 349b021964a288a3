import type { Transaction } from 'kysely';
import type { Database } from '../../db/tables.ts';
import { Decimal } from '../../shared/money.ts';
import { dateOrder } from '../shared/dates.ts';
import { validFields } from '../shared/links.ts';
import { overlay } from '../shared/schemas.ts';
import { tableCollection } from '../shared/repository.ts';
import { findSecondment, listSecondments, type Secondment, secondmentColumns, type SecondmentFields } from './repository.ts';
import { createSecondmentBody, presentSecondment, secondmentQuery, secondmentSchema, updateSecondmentBody } from './schemas.ts';

const EMPTY = { partnerType: null, workstreamId: null, commitmentId: null, sharedWith: null, startDate: null, endDate: null, notes: null } as const;

async function checked(trx: Transaction<Database>, organisationId: string, fields: SecondmentFields, current: Secondment | null): Promise<SecondmentFields> {
  const errors = dateOrder(fields.startDate, fields.endDate, 'endDate', 'startDate');
  return validFields(trx, organisationId, fields, current, errors, { workstreamId: 'workstreams', commitmentId: 'commitments' });
}

export const secondments = tableCollection({
  entity: 'secondment',
  table: 'secondments',
  find: findSecondment,
  columns: secondmentColumns,
  path: 'secondments',
  noun: 'secondment from a partner organisation',
  plural: 'secondments',
  schemas: { create: createSecondmentBody, update: updateSecondmentBody, query: secondmentQuery, item: secondmentSchema },
  present: presentSecondment,
  list: listSecondments,
  prepareCreate: (trx, actor, body) => checked(trx, actor.organisationId, { ...EMPTY, ...body, costShare: body.costShare ?? new Decimal(1) }, null),
  prepareUpdate: (trx, actor, current, body) => checked(trx, actor.organisationId, overlay<SecondmentFields>(current, body), current),
});
