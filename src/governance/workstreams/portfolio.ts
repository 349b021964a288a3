import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/tables.ts';
import { Decimal, formatMoneyOrNull, moneyOutput } from '../../shared/money.ts';
import { listMilestones } from '../milestones/repository.ts';
import { milestoneSchema, presentMilestone } from '../milestones/schemas.ts';
import { listPosts } from '../posts/repository.ts';
import { postSchema, presentPost } from '../posts/schemas.ts';
import { listRisks } from '../risks/repository.ts';
import { presentRisk, riskSchema } from '../risks/schemas.ts';
import { listSecondments } from '../secondments/repository.ts';
import { presentSecondment, secondmentSchema } from '../secondments/schemas.ts';
import { findWorkstreamLines } from './repository.ts';

export const portfolioSchema = z.object({
  lines: z.array(
    z.object({
      id: z.uuid(),
      grantId: z.uuid(),
      financialYear: z.string(),
      ref: z.string(),
      title: z.string(),
      amount: moneyOutput.nullable(),
      status: z.enum(['proposed', 'approved', 'withdrawn']),
    }),
  ),
  posts: z.array(postSchema),
  secondments: z.array(secondmentSchema),
  milestones: z.array(milestoneSchema),
  risks: z.array(riskSchema),
});

async function linesOf(db: Kysely<Database>, organisationId: string, workstreamId: string) {
  const rows = await findWorkstreamLines(db, organisationId, workstreamId);
  return rows.map((row) => ({ ...row, amount: formatMoneyOrNull(row.amount === null ? null : new Decimal(row.amount)) }));
}

/** Everything that belongs to one workstream: its lines in every grant year, posts, secondments, milestones and risks. */
export async function workstreamPortfolio(db: Kysely<Database>, organisationId: string, workstreamId: string): Promise<z.output<typeof portfolioSchema>> {
  const filter = { workstreamId };
  const [lines, posts, secondments, milestones, risks] = await Promise.all([
    linesOf(db, organisationId, workstreamId),
    listPosts(db, organisationId, filter),
    listSecondments(db, organisationId, filter),
    listMilestones(db, organisationId, filter),
    listRisks(db, organisationId, filter),
  ]);
  return {
    lines,
    posts: posts.map(presentPost),
    secondments: secondments.map(presentSecondment),
    milestones: milestones.map(presentMilestone),
    risks: risks.map(presentRisk),
  };
}
