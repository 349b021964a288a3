import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../../db/tables.ts';
import { ConflictProblem, type FieldError } from '../../shared/problems.ts';
import { withoutMeta } from '../shared/audit-view.ts';
import { defineCollection } from '../shared/collection.ts';
import { assertNoFieldErrors, type RecordStore } from '../shared/records.ts';
import { overlay } from '../shared/schemas.ts';
import {
  type Expectation,
  type ExpectationFields,
  findExpectation,
  insertExpectation,
  isBuiltInCode,
  isExpectationKey,
  listExpectations,
  lockExpectation,
  updateExpectation,
} from './repository.ts';
import { createExpectationBody, expectationQuery, expectationSchema, presentExpectation, updateExpectationBody } from './schemas.ts';

const WORDING = ['code', 'area', 'title', 'description'] as const;

async function assertCodeFree(trx: Transaction<Database>, code: string | null): Promise<void> {
  if (code !== null && (await isBuiltInCode(trx, code))) {
    throw new ConflictProblem(`${code.toUpperCase()} is the code of a built-in expectation; choose another.`, { field: 'code' });
  }
}

async function amended(trx: Transaction<Database>, current: Expectation, body: z.output<typeof updateExpectationBody>): Promise<ExpectationFields> {
  if (current.builtIn) {
    const errors: FieldError[] = WORDING.filter((field) => body[field] !== undefined).map((path) => ({
      path,
      message: "is the DfE's wording of a built-in expectation and cannot change; add your own expectation instead",
    }));
    assertNoFieldErrors(errors);
  }
  const next = overlay<ExpectationFields>(current, body);
  if (body.code !== undefined && body.code !== current.code) await assertCodeFree(trx, next.code);
  return next;
}

const expectationStore: RecordStore<Expectation, ExpectationFields> = {
  entity: 'expectation',
  find: findExpectation,
  lock: lockExpectation,
  insert: insertExpectation,
  update: updateExpectation,
  auditView: (expectation) => withoutMeta(presentExpectation(expectation)),
  uniqueKeys: { organisation_expectations_code_key: { path: 'code', message: 'This organisation already has an expectation with that code.' } },
};

export const expectations = defineCollection({
  path: 'expectations',
  noun: "delivery expectation: a built-in one (the organisation's progress on it) or the organisation's own",
  plural: "delivery expectations: the DfE's built-in list with this organisation's progress, then its own",
  isKey: isExpectationKey,
  schemas: { create: createExpectationBody, update: updateExpectationBody, query: expectationQuery, item: expectationSchema },
  store: expectationStore,
  present: presentExpectation,
  list: listExpectations,
  prepareCreate: async (trx, _actor, body) => {
    const fields = { code: null, area: null, description: null, dueBy: null, status: 'not_started', evidence: null, owner: null, ...body } as const;
    await assertCodeFree(trx, fields.code);
    return fields;
  },
  prepareUpdate: (trx, _actor, current, body) => amended(trx, current, body),
});
