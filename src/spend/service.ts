import { randomUUID } from 'node:crypto';
import { inTransaction } from '../db/transaction.ts';
import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import type { Actor } from '../auth/access.ts';
import { chainAuditAtEnd, holdChange, recordChange } from '../audit/record.ts';
import { type Commitment, findCommitment, findGrantCategory, listCommitments } from '../commitments/repository.ts';
import { exposureOf, lineCapBreach, spendAllocationBreach } from '../conditions/rules.ts';
import { OneInFlight } from '../db/pipeline.ts';
import type { Database } from '../db/tables.ts';
import { assertLineWithinCap, assertSpendWithinAllocation } from '../grants/cap.ts';
import { findAllocationPosition, findCapPosition, findGrant, lockGrant } from '../grants/repository.ts';
import { financialYearBounds } from '../shared/calendar.ts';
import { timeSlices } from '../shared/event-loop.ts';
import { type Decimal, formatMoney, formatPounds } from '../shared/money.ts';
import { InvalidStateProblem, NotFoundProblem, OutsideFinancialYearProblem } from '../shared/problems.ts';
import { insertSpendEntry, prepareSpendInsert, type NewSpendEntry, type SpendEntry } from './repository.ts';
import type { recordSpendBody } from './schemas.ts';

// The reads the pages share with the API: the service is the feature's one door.
export { listSpendForCommitment } from './repository.ts';

/** A payment as it is stored, from what was entered or imported: one mapping for hand entry and the batch. */
function newSpendEntry(commitmentId: string, grantId: string, body: z.output<typeof recordSpendBody>): NewSpendEntry {
  return {
    commitmentId,
    grantId,
    amount: body.amount,
    spentOn: body.spentOn,
    reference: body.reference ?? null,
    description: body.description ?? null,
    supplier: body.supplier ?? null,
    expenseArea: body.expenseArea ?? null,
    irrecoverableVat: body.irrecoverableVat ?? null,
    merchantCategory: body.merchantCategory ?? null,
    paidToIndividual: body.paidToIndividual,
    kind: body.kind,
    supplierId: body.supplierId ?? null,
    expenditureCode: body.expenditureCode ?? null,
    cardTransaction: body.cardTransaction,
  };
}

export async function recordSpend(db: Kysely<Database>, actor: Actor, commitmentId: string, body: z.output<typeof recordSpendBody>): Promise<SpendEntry> {
  return inTransaction(db, async (trx) => {
    const found = await findCommitment(trx, actor.organisationId, commitmentId);
    if (!found) throw new NotFoundProblem('commitment');
    const { firstDay, lastDay } = financialYearBounds(found.financialYear);
    if (body.spentOn < firstDay || body.spentOn > lastDay) {
      throw new OutsideFinancialYearProblem(`Spend dated ${body.spentOn} falls outside the grant's financial year ${found.financialYear} (${firstDay} to ${lastDay}).`, {
        financialYear: found.financialYear,
        firstDay,
        lastDay,
        spentOn: body.spentOn,
      });
    }
    const grant = await lockGrant(trx, actor.organisationId, found.grantId);
    if (!grant) throw new NotFoundProblem('commitment');
    const line = (await findCommitment(trx, actor.organisationId, commitmentId))!;
    if (line.status === 'withdrawn') {
      throw new InvalidStateProblem(`Line ${line.ref} is withdrawn; spend cannot be recorded against it.`);
    }
    const newSpent = line.spent.plus(body.amount);
    if (newSpent.isNegative()) {
      throw new InvalidStateProblem(`A correction of ${formatPounds(body.amount)} would take line ${line.ref}'s spend below zero (it has ${formatPounds(line.spent)}).`);
    }
    const before = exposureOf(line);
    const after = exposureOf({ amount: line.amount, spent: newSpent });
    if (after.greaterThan(before)) {
      const category = (await findGrantCategory(trx, grant.id, line.category))!;
      await assertLineWithinCap(trx, { grant, category, lineId: line.id, before, after, attempted: body.amount });
    }
    await assertSpendWithinAllocation(trx, grant.id, body.amount);
    const entry = await insertSpendEntry(trx, actor.organisationId, newSpendEntry(line.id, grant.id, body), actor.userId);
    await recordChange(
      trx,
      { actorId: actor.userId, requestId: actor.requestId },
      {
        organisationId: actor.organisationId,
        action: 'create',
        entity: 'spend',
        entityId: entry.id,
        before: null,
        after: { commitmentId: line.id, lineRef: line.ref, amount: formatMoney(entry.amount), spentOn: entry.spentOn, reference: entry.reference, supplier: entry.supplier },
      },
    );
    return entry;
  });
}

/** One payment of a batch: the line it is spent on and what the API would have been sent. */
export interface BatchPayment {
  readonly commitmentId: string;
  readonly body: z.output<typeof recordSpendBody>;
}

/** A batch refused at one payment: `index` in the batch, and the problem recordSpend would have given it. */
export class PaymentRefused extends Error {
  constructor(
    readonly index: number,
    readonly problem: unknown,
  ) {
    super(`payment ${index} refused`);
  }
}

/**
 * Rows per INSERT: each statement runs the spend triggers once (migration 0017). A thousand
 * rather than 5,000: a statement cannot give way to other councils' requests once sent (an
 * import's commit gives way between statements, src/imports/commit-thread.ts), and the commit's
 * rate was the same (bench/README.md, "A year's ledger").
 */
const BATCH_INSERT = 1_000;

interface RunningLine {
  readonly line: Commitment;
  spent: Decimal;
}

/**
 * Records many payments on one grant as if each went through recordSpend in turn, in the
 * caller's transaction, set-based: the grant is locked once, its lines, cap positions and
 * allocation read once, and every payment judged in order by the same rules
 * (src/conditions/rules.ts) against running totals, so the first refusal is the one recordSpend
 * would have given at that payment. The entries go in multi-row inserts of BATCH_INSERT (the
 * database's backstop checks each statement), each judged while the one before it is written;
 * their audit records are held back and chained at the end (chainAuditAtEnd: the caller's, or
 * this batch's own). `progress` is told how many are written after each insert. The judging
 * and the audit records yield to other requests every thousand payments.
 */
export async function recordSpendBatch(
  trx: Transaction<Database>,
  actor: Actor,
  grantId: string,
  payments: readonly BatchPayment[],
  progress: (done: number) => void = () => {},
): Promise<{ id: string; commitmentId: string; amount: Decimal }[]> {
  return chainAuditAtEnd(trx, () => judgeAndWrite(trx, actor, grantId, payments, progress));
}

async function judgeAndWrite(
  trx: Transaction<Database>,
  actor: Actor,
  grantId: string,
  payments: readonly BatchPayment[],
  progress: (done: number) => void,
): Promise<{ id: string; commitmentId: string; amount: Decimal }[]> {
  const locked = await lockGrant(trx, actor.organisationId, grantId);
  if (!locked) throw new NotFoundProblem('grant');
  const grant = (await findGrant(trx, actor.organisationId, grantId))!;
  const lines = new Map<string, RunningLine>((await listCommitments(trx, actor.organisationId, grantId, {})).map((line) => [line.id, { line, spent: line.spent }]));
  const capped = grant.categories.filter((category) => category.maxShare !== null);
  const positions = new Map(
    await Promise.all(capped.map(async (category) => [category.code, { category, position: await findCapPosition(trx, grantId, category.categoryId, null) }] as const)),
  );
  const exposures = new Map([...positions].map(([code, { position }]) => [code, position.exposure]));
  const allocation = await findAllocationPosition(trx, grantId);
  let grantSpent = allocation.spent;
  const { firstDay, lastDay } = financialYearBounds(locked.financialYear);

  const entries: (NewSpendEntry & { id: string; lineRef: string })[] = [];
  const context = { actorId: actor.userId, requestId: actor.requestId };
  const judge = (index: number, payment: BatchPayment) => {
    const running = lines.get(payment.commitmentId);
    const refuse = (problem: unknown) => new PaymentRefused(index, problem);
    if (!running) throw refuse(new NotFoundProblem('commitment'));
    const { line } = running;
    const { body } = payment;
    if (body.spentOn < firstDay || body.spentOn > lastDay) {
      throw refuse(
        new OutsideFinancialYearProblem(`Spend dated ${body.spentOn} falls outside the grant's financial year ${locked.financialYear} (${firstDay} to ${lastDay}).`, {
          financialYear: locked.financialYear,
          firstDay,
          lastDay,
          spentOn: body.spentOn,
        }),
      );
    }
    if (line.status === 'withdrawn') throw refuse(new InvalidStateProblem(`Line ${line.ref} is withdrawn; spend cannot be recorded against it.`));
    const newSpent = running.spent.plus(body.amount);
    if (newSpent.isNegative()) {
      throw refuse(new InvalidStateProblem(`A correction of ${formatPounds(body.amount)} would take line ${line.ref}'s spend below zero (it has ${formatPounds(running.spent)}).`));
    }
    const before = exposureOf({ amount: line.amount, spent: running.spent });
    const after = exposureOf({ amount: line.amount, spent: newSpent });
    const capCheck = positions.get(line.category);
    if (capCheck) {
      const categoryExposure = exposures.get(line.category)!;
      const breach = lineCapBreach(capCheck.category, { ...capCheck.position, othersExposure: categoryExposure.minus(before) }, { before, after, attempted: body.amount });
      if (breach) throw refuse(breach);
      exposures.set(line.category, categoryExposure.minus(before).plus(after));
    }
    const overAllocation = spendAllocationBreach(allocation.allocation, grantSpent, body.amount);
    if (overAllocation) throw refuse(overAllocation);
    grantSpent = grantSpent.plus(body.amount);
    running.spent = newSpent;
    return { ...newSpendEntry(line.id, grantId, body), id: randomUUID(), lineRef: line.ref };
  };

  // Each batch is judged, and its audit records made ready, while the batch before it is written.
  const writes = new OneInFlight();
  const slice = timeSlices();
  try {
    for (let start = 0; start < payments.length; start += BATCH_INSERT) {
      const batch: typeof entries = [];
      for (let index = start; index < Math.min(start + BATCH_INSERT, payments.length); index++) {
        await slice();
        batch.push(judge(index, payments[index]!));
      }
      entries.push(...batch);
      const insert = await prepareSpendInsert(actor.organisationId, batch, actor.userId);
      const written = entries.length;
      await writes.next(() => insert(trx).then(() => progress(written)));
      for (const entry of batch) {
        await slice();
        holdChange(trx, context, {
          organisationId: actor.organisationId,
          action: 'create',
          entity: 'spend',
          entityId: entry.id,
          before: null,
          after: {
            commitmentId: entry.commitmentId,
            lineRef: entry.lineRef,
            amount: formatMoney(entry.amount),
            spentOn: entry.spentOn,
            reference: entry.reference,
            supplier: entry.supplier,
          },
        });
      }
    }
    await writes.finish();
  } catch (error) {
    await writes.abandon();
    throw error;
  }
  return entries.map((entry) => ({ id: entry.id, commitmentId: entry.commitmentId, amount: entry.amount }));
}
