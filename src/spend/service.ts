import { inTransaction } from '../db/transaction.ts';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Actor } from '../auth/access.ts';
import { recordChange } from '../audit/record.ts';
import { findCommitment, findGrantCategory } from '../commitments/repository.ts';
import { exposureOf } from '../conditions/rules.ts';
import type { Database } from '../db/tables.ts';
import { assertLineWithinCap, assertSpendWithinAllocation } from '../grants/cap.ts';
import { lockGrant } from '../grants/repository.ts';
import { financialYearBounds } from '../shared/calendar.ts';
import { formatMoney, formatPounds } from '../shared/money.ts';
import { InvalidStateProblem, NotFoundProblem, OutsideFinancialYearProblem } from '../shared/problems.ts';
import { insertSpendEntry, type SpendEntry } from './repository.ts';
import type { recordSpendBody } from './schemas.ts';

// The reads the pages share with the API: the service is the feature's one door.
export { listSpendForCommitment } from './repository.ts';

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
    const entry = await insertSpendEntry(
      trx,
      actor.organisationId,
      {
        commitmentId: line.id,
        grantId: grant.id,
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
      },
      actor.userId,
    );
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
