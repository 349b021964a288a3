import type { Kysely } from 'kysely';
import { type Commitment, listCommitments } from '../commitments/repository.ts';
import type { Database } from '../db/tables.ts';
import { findGrant, type Grant } from '../grants/repository.ts';
import { Decimal } from '../shared/money.ts';
import { NotFoundProblem } from '../shared/problems.ts';
import { listCostCentres } from './cost-centres.ts';
import { countGrantSpendEntries, countSpendByReference } from './repository.ts';
import { spendKey } from './interpret/spend-rows.ts';
import { fingerprintOf } from './plan/kept.ts';

/** The grant as an import is previewed against: its categories, lines, cost centres and spend. */
export interface Ledger {
  readonly grant: Grant;
  readonly lines: readonly Commitment[];
  readonly costCentres: ReadonlyMap<string, string>;
  /** spendKey(reference, amount) → how many such entries the grant holds. */
  readonly existingSpend: ReadonlyMap<string, number>;
  /** What a spend plan was read against (src/imports/plan/kept.ts). */
  readonly fingerprint: string;
}

async function linesAndCentres(db: Kysely<Database>, organisationId: string, grantId: string) {
  const [lines, costCentres, spendEntries] = await Promise.all([
    listCommitments(db, organisationId, grantId, {}),
    listCostCentres(db, organisationId, grantId),
    countGrantSpendEntries(db, grantId),
  ]);
  const centres = new Map(costCentres.map((c) => [c.code, c.commitmentId]));
  return { lines, costCentres: centres, fingerprint: fingerprintOf({ lines, costCentres: centres, spendEntries }) };
}

/** Reads what a preview needs; inside a commit, after the grant lock, so it is what the commit sees. */
export async function loadLedger(db: Kysely<Database>, organisationId: string, grantId: string, references: readonly string[]): Promise<Ledger> {
  const grant = await findGrant(db, organisationId, grantId);
  if (!grant) throw new NotFoundProblem('grant');
  // The count of entries in the fingerprint is read before the entries the file's references
  // match: an entry recorded between the two then changes the count the commit sees, so the
  // commit previews afresh rather than trust a plan that missed it as a duplicate.
  const { lines, costCentres, fingerprint } = await linesAndCentres(db, organisationId, grantId);
  const spend = await countSpendByReference(db, grantId, references);
  const existingSpend = new Map<string, number>();
  for (const entry of spend) {
    const key = spendKey(entry.reference, new Decimal(entry.amount));
    existingSpend.set(key, (existingSpend.get(key) ?? 0) + entry.count);
  }
  return { grant, lines, costCentres, existingSpend, fingerprint };
}

/** The grant's lines and the fingerprint of what a kept spend plan depends on, without reading the file's references. */
export async function loadLedgerFingerprint(db: Kysely<Database>, organisationId: string, grantId: string): Promise<{ lines: readonly Commitment[]; fingerprint: string }> {
  const { lines, fingerprint } = await linesAndCentres(db, organisationId, grantId);
  return { lines, fingerprint };
}
