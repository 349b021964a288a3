import { defineCollection } from '../shared/collection.ts';
import { withoutMeta } from '../shared/audit-view.ts';
import { assertNoFieldErrors, insertRecord, type RecordStore, creationStamp, editStamp, rowLock } from '../shared/records.ts';
import { dateOrder } from '../shared/dates.ts';
import { overlay } from '../shared/schemas.ts';
import { findGovernanceBody, type GovernanceBody, governanceBodyColumns, type GovernanceBodyFields, listGovernanceBodies } from './repository.ts';
import { createGovernanceBodyBody, governanceBodyQuery, governanceBodySchema, presentGovernanceBody, updateGovernanceBodyBody } from './schemas.ts';

const EMPTY = { kind: null, chair: null, termsAgreedOn: null, termsReviewDue: null, notes: null } as const;

function checked(fields: GovernanceBodyFields): GovernanceBodyFields {
  assertNoFieldErrors(dateOrder(fields.termsAgreedOn, fields.termsReviewDue, 'termsReviewDue', 'termsAgreedOn'));
  return fields;
}

export const governanceBodyStore: RecordStore<GovernanceBody, GovernanceBodyFields> = {
  entity: 'governance_body',
  find: findGovernanceBody,
  lock: rowLock('governance_bodies'),
  insert: (trx, actor, fields) => insertRecord(trx, 'governance_bodies', { ...governanceBodyColumns(fields), ...creationStamp(actor) }),
  update: async (trx, actor, current, fields) => {
    await trx.updateTable('governance_bodies').set({ ...governanceBodyColumns(fields), ...editStamp(actor) }).where('organisation_id', '=', actor.organisationId).where('id', '=', current.id).execute();
  },
  auditView: (body) => withoutMeta(presentGovernanceBody(body)),
  uniqueKeys: { governance_bodies_name_key: { path: 'name', message: 'This organisation already has a governance body of that name.' } },
};

export const governanceBodies = defineCollection({
  path: 'governance-bodies',
  noun: 'governance body (cabinet, board or delivery group, partnership)',
  plural: 'governance bodies',
  schemas: { create: createGovernanceBodyBody, update: updateGovernanceBodyBody, query: governanceBodyQuery, item: governanceBodySchema },
  store: governanceBodyStore,
  present: presentGovernanceBody,
  list: listGovernanceBodies,
  prepareCreate: async (_trx, _actor, body) => checked({ ...EMPTY, ...body }),
  prepareUpdate: async (_trx, _actor, current, body) => checked(overlay<GovernanceBodyFields>(current, body)),
});
