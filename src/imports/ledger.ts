import type { Kysely } from 'kysely';
import { type Commitment, listCommitments } from '../commitments/repository.ts';
import type { Database } from '../db/tables.ts';
import { findGrant, type Grant } from '../grants/repository.ts';
import { Decimal } from '../shared/money.ts';
import { NotFoundProblem } from '../shared/problems.ts';
import { listCostCentres } from './cost-centres.ts';
import { countSpendByReference } from './repository.ts';
import { spendKey } from './interpret/spend-rows.ts';

/** The grant as an import is previewed against: its categories, lines, cost centres and spend. */
export interface Ledger {
  readonly grant: Grant;
  readonly lines: readonly Commitment[];
  readonly costCentres: ReadonlyMap<string, string>;
  /** spendKey(reference, amount) → how many such entries the grant holds. */
  readonly existingSpend: ReadonlyMap<string, number>;
}

/** Reads what a preview needs; inside a commit, after the grant lock, so it is what the commit sees. */
export async function loadLedger(db: Kysely<Database>, organisationId: string, grantId: string, references: readonly string[]): Promise<Ledger> {
  const grant = await findGrant(db, organisationId, grantId);
  if (!grant) throw new NotFoundProblem('grant');
  const [lines, costCentres, spend] = await Promise.all([
    listCommitments(db, organisationId, grantId, {}),
    listCostCentres(db, organisationId, grantId),
    countSpendByReference(db, grantId, references),
  ]);
  const existingSpend = new Map<string, number>();
  for (const entry of spend) {
    const key = spendKey(entry.reference, new Decimal(entry.amount));
    existingSpend.set(key, (existingSpend.get(key) ?? 0) + entry.count);
  }
  return { grant, lines, costCentres: new Map(costCentres.map((c) => [c.code, c.commitmentId])), existingSpend };
}
