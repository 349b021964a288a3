import { inTransaction } from '../db/transaction.ts';
import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../db/tables.ts';
import { assertLineWithinCap } from '../grants/cap.ts';
import { exposureOf } from '../conditions/rules.ts';
import { type LockedGrant, lockGrant } from '../grants/repository.ts';
import { assertIfMatch } from '../http/conditional.ts';
import { formatMoneyOrNull, formatPounds, ZERO } from '../shared/money.ts';
import type { Actor } from '../auth/access.ts';
import { recordChange } from '../audit/record.ts';
import { ConflictProblem, InvalidStateProblem, NotFoundProblem, ValidationProblem, type FieldError } from '../shared/problems.ts';
import {
  type Commitment,
  type CommitmentFields,
  findCommitment,
  findGrantCategory,
  grantCategoryCodes,
  type GrantCategoryRef,
  insertCommitment,
  nextRef,
  refTaken,
  updateCommitment,
} from './repository.ts';
import { type createCommitmentBody, etagOf, type updateCommitmentBody } from './schemas.ts';
import { linkErrors } from '../governance/shared/links.ts';
import { committedOnFor } from './committed-on.ts';

// The reads the pages share with the API: the service is the feature's one door.
export { findCommitment, listCommitments, listCommitmentsByDecisions } from './repository.ts';

/** The fields an auditor reads in a line's history. */
function auditViewOfLine(line: Commitment): Record<string, unknown> {
  return {
    ref: line.ref,
    title: line.title,
    category: line.category,
    amount: formatMoneyOrNull(line.amount),
    status: line.status,
    committedOn: line.committedOn,
    decisionRef: line.decisionRef,
    decisionId: line.decisionId,
    approvedBy: line.approvedBy,
    serviceArea: line.serviceArea,
    workstreamId: line.workstreamId,
    notes: line.notes,
  };
}

/** A line may cite only its own organisation's decision and workstream (400 otherwise, nothing written). */
async function assertGovernanceLinks(
  trx: Transaction<Database>,
  organisationId: string,
  fields: Pick<CommitmentFields, 'decisionId' | 'workstreamId'>,
  line: Commitment | null,
): Promise<void> {
  const errors = await linkErrors(trx, organisationId, [
    { path: 'decisionId', table: 'decisions', id: fields.decisionId, previous: line?.decisionId },
    { path: 'workstreamId', table: 'workstreams', id: fields.workstreamId, previous: line?.workstreamId },
  ]);
  if (errors.length > 0) throw new ValidationProblem(errors);
}

async function audited(trx: Transaction<Database>, actor: Actor, action: string, before: Commitment | null, after: Commitment): Promise<Commitment> {
  await recordChange(
    trx,
    { actorId: actor.userId, requestId: actor.requestId },
    {
      organisationId: actor.organisationId,
      action,
      entity: 'commitment',
      entityId: after.id,
      before: before ? auditViewOfLine(before) : null,
      after: auditViewOfLine(after),
    },
  );
  return after;
}

/** A category code that is not one of the grant's, said as a field error; null when it is one. */
export async function categoryError(db: Kysely<Database>, grantId: string, code: string): Promise<FieldError | null> {
  if (await findGrantCategory(db, grantId, code)) return null;
  const codes = await grantCategoryCodes(db, grantId);
  return { path: 'category', message: `must be one of this grant's categories: ${codes.join(', ')}` };
}

async function categoryOrProblem(trx: Transaction<Database>, grantId: string, code: string): Promise<GrantCategoryRef> {
  const category = await findGrantCategory(trx, grantId, code);
  if (!category) throw new ValidationProblem([(await categoryError(trx, grantId, code))!]);
  return category;
}

async function assertRefFree(trx: Transaction<Database>, grantId: string, ref: string, exceptId: string | null): Promise<void> {
  if (await refTaken(trx, grantId, ref, exceptId)) {
    throw new ConflictProblem(`Line ${ref} already exists in this grant.`, { field: 'ref' });
  }
}

export async function createCommitment(db: Kysely<Database>, actor: Actor, grantId: string, body: z.output<typeof createCommitmentBody>): Promise<Commitment> {
  return inTransaction(db, async (trx) => {
    const grant = await lockGrant(trx, actor.organisationId, grantId);
    if (!grant) throw new NotFoundProblem('grant');
    const committedOn = committedOnFor(grant.financialYear, body.committedOn, actor.today);
    const category = await categoryOrProblem(trx, grantId, body.category);
    const links = { decisionId: body.decisionId ?? null, workstreamId: body.workstreamId ?? null };
    await assertGovernanceLinks(trx, actor.organisationId, links, null);
    const ref = body.ref ?? (await nextRef(trx, grantId));
    await assertRefFree(trx, grantId, ref, null);
    const amount = body.amount;
    if (amount !== null) {
      await assertLineWithinCap(trx, { grant, category, lineId: null, before: ZERO, after: amount, attempted: amount });
    }
    const id = await insertCommitment(
      trx,
      actor.organisationId,
      grantId,
      {
        ref,
        title: body.title,
        categoryId: category.categoryId,
        amount,
        status: body.status,
        committedOn,
        decisionRef: body.decisionRef ?? null,
        approvedBy: body.approvedBy ?? null,
        serviceArea: body.serviceArea ?? null,
        notes: body.notes ?? null,
        ...links,
      },
      actor.userId,
    );
    return audited(trx, actor, 'create', null, (await findCommitment(trx, actor.organisationId, id))!);
  });
}

/**
 * Locks the line's grant, then reads the line as it stands after the lock: anything read
 * before the lock may already be stale.
 */
async function lockLine(trx: Transaction<Database>, actor: Actor, id: string): Promise<{ grant: LockedGrant; line: Commitment }> {
  const before = await findCommitment(trx, actor.organisationId, id);
  if (!before) throw new NotFoundProblem('commitment');
  const grant = await lockGrant(trx, actor.organisationId, before.grantId);
  if (!grant) throw new NotFoundProblem('commitment');
  const line = (await findCommitment(trx, actor.organisationId, id))!;
  return { grant, line };
}

export async function amendCommitment(
  db: Kysely<Database>,
  actor: Actor,
  id: string,
  body: z.output<typeof updateCommitmentBody>,
  ifMatch: string | undefined,
): Promise<Commitment> {
  return inTransaction(db, async (trx) => {
    const { grant, line } = await lockLine(trx, actor, id);
    assertIfMatch(ifMatch, etagOf(line));
    if (line.status === 'withdrawn') throw new InvalidStateProblem(`Line ${line.ref} is withdrawn and can no longer be changed.`);

    const category = body.category !== undefined && body.category !== line.category ? await categoryOrProblem(trx, grant.id, body.category) : null;
    const ref = body.ref ?? line.ref;
    if (ref !== line.ref) await assertRefFree(trx, grant.id, ref, line.id);

    const fields: CommitmentFields = {
      ref,
      title: body.title ?? line.title,
      categoryId: category?.categoryId ?? line.categoryId,
      amount: body.amount !== undefined ? body.amount : line.amount,
      status: body.status ?? line.status,
      committedOn: body.committedOn !== undefined ? committedOnFor(grant.financialYear, body.committedOn, actor.today) : line.committedOn,
      decisionRef: body.decisionRef !== undefined ? body.decisionRef : line.decisionRef,
      approvedBy: body.approvedBy !== undefined ? body.approvedBy : line.approvedBy,
      serviceArea: body.serviceArea !== undefined ? body.serviceArea : line.serviceArea,
      notes: body.notes !== undefined ? body.notes : line.notes,
      decisionId: body.decisionId !== undefined ? body.decisionId : line.decisionId,
      workstreamId: body.workstreamId !== undefined ? body.workstreamId : line.workstreamId,
    };
    await assertGovernanceLinks(trx, actor.organisationId, fields, line);

    // A line moving category brings all its exposure into the new one; otherwise only the
    // difference counts (the rules refuse only added exposure).
    const after = exposureOf({ amount: fields.amount, spent: line.spent });
    const before = category ? ZERO : exposureOf(line);
    const target = category ?? (await findGrantCategory(trx, grant.id, line.category))!;
    await assertLineWithinCap(trx, { grant, category: target, lineId: line.id, before, after, attempted: fields.amount ?? after });
    await updateCommitment(trx, line.id, fields, actor.userId);
    return audited(trx, actor, 'update', line, (await findCommitment(trx, actor.organisationId, line.id))!);
  });
}

export async function withdrawCommitment(db: Kysely<Database>, actor: Actor, id: string, ifMatch: string | undefined): Promise<Commitment> {
  return inTransaction(db, async (trx) => {
    const { line } = await lockLine(trx, actor, id);
    assertIfMatch(ifMatch, etagOf(line));
    if (line.status === 'withdrawn') return line;
    // Money already spent does not stop existing: hiding it by withdrawing its line would
    // take it out of every total and out of the cap.
    if (!line.spent.isZero()) {
      throw new InvalidStateProblem(
        `Line ${line.ref} has ${formatPounds(line.spent)} of spend recorded against it. Record a correction (a negative spend entry) first, or keep the line and reduce its amount.`,
      );
    }
    await updateCommitment(trx, line.id, { ...line, status: 'withdrawn' }, actor.userId);
    return audited(trx, actor, 'withdraw', line, (await findCommitment(trx, actor.organisationId, line.id))!);
  });
}
