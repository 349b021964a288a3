import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../../db/tables.ts';
import { Decimal } from '../../shared/money.ts';
import type { FieldError } from '../../shared/problems.ts';
import { withoutMeta } from '../shared/audit-view.ts';
import { defineCollection } from '../shared/collection.ts';
import { dateOrder } from '../shared/dates.ts';
import { linkErrors } from '../shared/links.ts';
import { assertNoFieldErrors, creationStamp, editStamp, insertRecord, type RecordStore, rowLock } from '../shared/records.ts';
import { overlay } from '../shared/schemas.ts';
import { findPost, listPosts, type Post, postColumns, type PostFields } from './repository.ts';
import { createPostBody, postQuery, postSchema, presentPost, updatePostBody } from './schemas.ts';

const EMPTY = {
  team: null,
  workstreamId: null,
  commitmentId: null,
  grade: null,
  startDate: null,
  endDate: null,
  plannedStartDate: null,
  plannedEndDate: null,
  postholder: null,
  notes: null,
} as const;

/** The checks that span fields; a PATCH is judged by the record it would leave. */
export function postErrors(fields: PostFields): FieldError[] {
  const errors = [
    ...dateOrder(fields.startDate, fields.endDate, 'endDate', 'startDate'),
    ...dateOrder(fields.plannedStartDate, fields.plannedEndDate, 'plannedEndDate', 'plannedStartDate'),
  ];
  if (fields.fte.greaterThan(fields.headcount)) errors.push({ path: 'fte', message: `must not exceed the headcount (${fields.headcount})` });
  if (fields.postholder !== null && fields.headcount !== 1) {
    errors.push({ path: 'postholder', message: 'names one person, so only a single post (headcount 1) has one' });
  }
  return errors;
}

export async function checkedPost(trx: Transaction<Database>, organisationId: string, fields: PostFields, current: Post | null): Promise<PostFields> {
  const errors = postErrors(fields);
  errors.push(
    ...(await linkErrors(trx, organisationId, [
      { path: 'workstreamId', table: 'workstreams', id: fields.workstreamId, previous: current?.workstreamId },
      { path: 'commitmentId', table: 'commitments', id: fields.commitmentId, previous: current?.commitmentId },
    ])),
  );
  assertNoFieldErrors(errors);
  return fields;
}

/** A headcount change carries a full-time record's FTE with it unless an FTE is given. */
function amended(current: Post, body: z.output<typeof updatePostBody>): PostFields {
  const next = overlay<PostFields>(current, body);
  const wasFullTime = current.fte.equals(current.headcount);
  return body.fte === undefined && wasFullTime ? { ...next, fte: new Decimal(next.headcount) } : next;
}

export const postStore: RecordStore<Post, PostFields> = {
  entity: 'post',
  find: findPost,
  lock: rowLock('posts'),
  insert: (trx, actor, fields) => insertRecord(trx, 'posts', { ...postColumns(fields), ...creationStamp(actor) }),
  update: async (trx, actor, current, fields) => {
    await trx.updateTable('posts').set({ ...postColumns(fields), ...editStamp(actor) }).where('organisation_id', '=', actor.organisationId).where('id', '=', current.id).execute();
  },
  auditView: (post) => withoutMeta(presentPost(post)),
};

export const posts = defineCollection({
  path: 'posts',
  noun: 'post record: headcount identical posts sharing a status, dates and funding line',
  plural: 'posts',
  schemas: { create: createPostBody, update: updatePostBody, query: postQuery, item: postSchema },
  store: postStore,
  present: presentPost,
  list: listPosts,
  prepareCreate: (trx, actor, body) => checkedPost(trx, actor.organisationId, { ...EMPTY, ...body, fte: body.fte ?? new Decimal(body.headcount) }, null),
  prepareUpdate: (trx, actor, current, body) => checkedPost(trx, actor.organisationId, amended(current, body), current),
});
