import { assertNoFieldErrors } from '../shared/records.ts';
import { dateOrder } from '../shared/dates.ts';
import { overlay } from '../shared/schemas.ts';
import { tableCollection } from '../shared/repository.ts';
import { findGovernanceBody, governanceBodyColumns, type GovernanceBodyFields, listGovernanceBodies } from './repository.ts';
import { createGovernanceBodyBody, governanceBodyQuery, governanceBodySchema, presentGovernanceBody, updateGovernanceBodyBody } from './schemas.ts';

const EMPTY = { kind: null, chair: null, termsAgreedOn: null, termsReviewDue: null, notes: null } as const;

function checked(fields: GovernanceBodyFields): GovernanceBodyFields {
  assertNoFieldErrors(dateOrder(fields.termsAgreedOn, fields.termsReviewDue, 'termsReviewDue', 'termsAgreedOn'));
  return fields;
}

export const governanceBodies = tableCollection({
  entity: 'governance_body',
  table: 'governance_bodies',
  find: findGovernanceBody,
  columns: governanceBodyColumns,
  uniqueKeys: { governance_bodies_name_key: { path: 'name', message: 'This organisation already has a governance body of that name.' } },
  path: 'governance-bodies',
  noun: 'governance body (cabinet, board or delivery group, partnership)',
  plural: 'governance bodies',
  schemas: { create: createGovernanceBodyBody, update: updateGovernanceBodyBody, query: governanceBodyQuery, item: governanceBodySchema },
  present: presentGovernanceBody,
  list: listGovernanceBodies,
  prepareCreate: async (_trx, _actor, body) => checked({ ...EMPTY, ...body }),
  prepareUpdate: async (_trx, _actor, current, body) => checked(overlay<GovernanceBodyFields>(current, body)),
});
