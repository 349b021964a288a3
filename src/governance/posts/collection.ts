import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../../db/tables.ts';
import { Decimal } from '../../shared/money.ts';
import type { FieldError } from '../../shared/problems.ts';
import { dateOrder } from '../shared/dates.ts';
import { validFields } from '../shared/links.ts';
import { overlay } from '../shared/schemas.ts';
import { tableCollection } from '../shared/repository.ts';
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

async function checkedPost(trx: Transaction<Database>, organisationId: string, fields: PostFields, current: Post | null): Promise<PostFields> {
  return validFields(trx, organisationId, fields, current, postErrors(fields), { workstreamId: 'workstreams', commitmentId: 'commitments' });
}

/** A headcount change carries a full-time record's FTE with it unless an FTE is given. */
function amended(current: Post, body: z.output<typeof updatePostBody>): PostFields {
  const next = overlay<PostFields>(current, body);
  const wasFullTime = current.fte.equals(current.headcount);
  return body.fte === undefined && wasFullTime ? { ...next, fte: new Decimal(next.headcount) } : next;
}

export const posts = tableCollection({
  entity: 'post',
  table: 'posts',
  find: findPost,
  columns: postColumns,
  path: 'posts',
  noun: 'post record: headcount identical posts sharing a status, dates and funding line',
  plural: 'posts',
  schemas: { create: createPostBody, update: updatePostBody, query: postQuery, item: postSchema },
  present: presentPost,
  list: listPosts,
  prepareCreate: (trx, actor, body) => checkedPost(trx, actor.organisationId, { ...EMPTY, ...body, fte: body.fte ?? new Decimal(body.headcount) }, null),
  prepareUpdate: (trx, actor, current, body) => checkedPost(trx, actor.organisationId, amended(current, body), current),
});
