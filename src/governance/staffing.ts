import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import { listPosts, listPostsFundedBy, type Post } from './posts/repository.ts';
import { listSecondments, listSecondmentsFundedBy, type Secondment } from './secondments/repository.ts';

/** The posts and secondments these lines fund: what other features read of the programme's staff. */
export async function staffFundedBy(db: Kysely<Database>, organisationId: string, commitmentIds: readonly string[]): Promise<{ posts: Post[]; secondments: Secondment[] }> {
  const [posts, secondments] = await Promise.all([listPostsFundedBy(db, organisationId, commitmentIds), listSecondmentsFundedBy(db, organisationId, commitmentIds)]);
  return { posts, secondments };
}

/** Every post and secondment of the organisation: a whole grant's lines at once need no list of ids. */
export async function allStaff(db: Kysely<Database>, organisationId: string): Promise<{ posts: Post[]; secondments: Secondment[] }> {
  const [posts, secondments] = await Promise.all([listPosts(db, organisationId, {}), listSecondments(db, organisationId, {})]);
  return { posts, secondments };
}
