import type { Transaction } from 'kysely';
import type { Database } from '../../db/tables.ts';
import { Decimal } from '../../shared/money.ts';
import { withoutMeta } from '../shared/audit-view.ts';
import { defineCollection } from '../shared/collection.ts';
import { dateOrder } from '../shared/dates.ts';
import { linkErrors } from '../shared/links.ts';
import { assertNoFieldErrors, creationStamp, editStamp, insertRecord, type RecordStore, rowLock } from '../shared/records.ts';
import { overlay } from '../shared/schemas.ts';
import { findSecondment, listSecondments, type Secondment, secondmentColumns, type SecondmentFields } from './repository.ts';
import { createSecondmentBody, presentSecondment, secondmentQuery, secondmentSchema, updateSecondmentBody } from './schemas.ts';

const EMPTY = { partnerType: null, workstreamId: null, commitmentId: null, sharedWith: null, startDate: null, endDate: null, notes: null } as const;

async function checked(trx: Transaction<Database>, organisationId: string, fields: SecondmentFields, current: Secondment | null): Promise<SecondmentFields> {
  const errors = dateOrder(fields.startDate, fields.endDate, 'endDate', 'startDate');
  errors.push(
    ...(await linkErrors(trx, organisationId, [
      { path: 'workstreamId', table: 'workstreams', id: fields.workstreamId, previous: current?.workstreamId },
      { path: 'commitmentId', table: 'commitments', id: fields.commitmentId, previous: current?.commitmentId },
    ])),
  );
  assertNoFieldErrors(errors);
  return fields;
}

export const secondmentStore: RecordStore<Secondment, SecondmentFields> = {
  entity: 'secondment',
  find: findSecondment,
  lock: rowLock('secondments'),
  insert: (trx, actor, fields) => insertRecord(trx, 'secondments', { ...secondmentColumns(fields), ...creationStamp(actor) }),
  update: async (trx, actor, current, fields) => {
    await trx.updateTable('secondments').set({ ...secondmentColumns(fields), ...editStamp(actor) }).where('organisation_id', '=', actor.organisationId).where('id', '=', current.id).execute();
  },
  auditView: (secondment) => withoutMeta(presentSecondment(secondment)),
};

export const secondments = defineCollection({
  path: 'secondments',
  noun: 'secondment from a partner organisation',
  plural: 'secondments',
  schemas: { create: createSecondmentBody, update: updateSecondmentBody, query: secondmentQuery, item: secondmentSchema },
  store: secondmentStore,
  present: presentSecondment,
  list: listSecondments,
  prepareCreate: (trx, actor, body) => checked(trx, actor.organisationId, { ...EMPTY, ...body, costShare: body.costShare ?? new Decimal(1) }, null),
  prepareUpdate: (trx, actor, current, body) => checked(trx, actor.organisationId, overlay<SecondmentFields>(current, body), current),
});
