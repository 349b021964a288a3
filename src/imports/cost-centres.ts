import type { Kysely } from 'kysely';
import type { Actor } from '../auth/access.ts';
import { recordChange } from '../audit/record.ts';
import { findCommitment } from '../commitments/repository.ts';
import type { Database } from '../db/tables.ts';
import { inTransaction } from '../db/transaction.ts';
import { NotFoundProblem, ValidationProblem } from '../shared/problems.ts';
import { costCentreCode } from './interpret/spend-rows.ts';
import { deleteCostCentreRow, findCostCentreRows, findCostCentreTarget, upsertCostCentreRow } from './repository.ts';

export interface CostCentre {
  readonly code: string;
  readonly commitmentId: string;
  readonly lineRef: string;
  readonly lineTitle: string;
  readonly updatedAt: Date;
}

/** The council's map from its ledger's cost centres to the grant's lines, in code order. */
export async function listCostCentres(db: Kysely<Database>, organisationId: string, grantId: string): Promise<CostCentre[]> {
  const rows = await findCostCentreRows(db, organisationId, grantId);
  return rows.map((r) => ({ code: r.code, commitmentId: r.commitment_id, lineRef: r.ref, lineTitle: r.title, updatedAt: r.updated_at }));
}

/**
 * Maps a cost centre to a line of the grant (or, with null, forgets it). Codes are kept in
 * upper case and trimmed, as ledgers differ only in how they print them.
 */
export async function setCostCentre(db: Kysely<Database>, actor: Actor, grantId: string, code: string, commitmentId: string | null): Promise<void> {
  const normalised = costCentreCode(code);
  return inTransaction(db, async (trx) => {
    const before = await findCostCentreTarget(trx, grantId, normalised);
    if (commitmentId === null) {
      if (!before) throw new NotFoundProblem('cost centre');
      await deleteCostCentreRow(trx, grantId, normalised);
    } else {
      const line = await findCommitment(trx, actor.organisationId, commitmentId);
      if (!line || line.grantId !== grantId) throw new ValidationProblem([{ path: 'commitmentId', message: 'is not a line of this grant' }]);
      await upsertCostCentreRow(trx, { organisationId: actor.organisationId, grantId, code: normalised, commitmentId, actorId: actor.userId });
    }
    await recordChange(
      trx,
      { actorId: actor.userId, requestId: actor.requestId },
      {
        organisationId: actor.organisationId,
        action: commitmentId === null ? 'delete' : before ? 'update' : 'create',
        entity: 'cost-centre',
        entityId: `${grantId}/${normalised}`,
        before: before ? { commitmentId: before.commitment_id } : null,
        after: commitmentId === null ? null : { commitmentId },
      },
    );
  });
}
