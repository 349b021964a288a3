import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Actor } from '../auth/access.ts';
import { recordChange } from '../audit/record.ts';
import type { Database, TranchePurpose } from '../db/tables.ts';
import { inTransaction } from '../db/transaction.ts';
import { assertIfMatch } from '../http/conditional.ts';
import type { SchemeVersion } from '../schemes/repository.ts';
import { formatPounds } from '../shared/money.ts';
import { type FieldError, InvalidStateProblem, NotFoundProblem, ValidationProblem } from '../shared/problems.ts';
import { assertAllocationWithinLimit, assertFundingHolds } from './cap.ts';
import { findGrant, findTrancheGrantId, type Grant, hasLiveLines, lockGrant, type NewTranche, type Tranche, updateTranche } from './repository.ts';
import { etagOfTranche, type trancheInput, type updateTrancheBody } from './schemas.ts';
import { findSchemeByCode } from '../schemes/repository.ts';
import { formatMoney } from '../shared/money.ts';

export type TrancheBody = z.output<typeof trancheInput>;

/** The fields an auditor reads in a tranche's history. */
export function auditViewOfTranche(grantId: string, tranche: NewTranche, version: SchemeVersion | Grant): Record<string, unknown> {
  const earmarked = tranche.earmarkedCategoryId === null ? null : (version.categories.find((c) => categoryIdOf(c) === tranche.earmarkedCategoryId)?.code ?? null);
  return {
    grantId,
    amount: formatMoney(tranche.amount),
    description: tranche.description,
    status: tranche.status,
    determinationRef: tranche.determinationRef,
    purpose: tranche.purpose,
    earmarkedCategory: earmarked,
    receivedOn: tranche.receivedOn,
  };
}

function categoryIdOf(category: { id: string } | { categoryId: string }): string {
  return 'categoryId' in category ? category.categoryId : category.id;
}

/** The scheme version a grant follows, whose determinations decide a tranche's purpose. */
export async function grantSchemeVersion(db: Kysely<Database>, grant: Grant): Promise<SchemeVersion> {
  const scheme = (await findSchemeByCode(db, grant.schemeCode))!;
  return scheme.versions.find((v) => v.id === grant.schemeVersionId)!;
}

interface PurposeFields {
  readonly determinationRef: string | null;
  readonly purpose?: TranchePurpose | undefined;
  readonly earmarkedCategory?: string | null | undefined;
}

/**
 * A tranche's purpose, as the council says or, failing that, as its determination says: the
 * scheme version lists each determination's purpose, so 31/7969 is earmarked to its category
 * without anyone having to know. A council that reads its conditions more strictly says
 * `purpose: "base"`. Problems are added to `problems` with `prefix` on their paths.
 */
function resolvePurpose(version: SchemeVersion, fields: PurposeFields, prefix: string, problems: FieldError[]): { purpose: TranchePurpose; earmarkedCategoryId: string | null } {
  const determination = version.determinations.find((d) => d.ref === fields.determinationRef);
  const purpose = fields.purpose ?? (fields.earmarkedCategory ? 'earmarked' : (determination?.purpose ?? 'base'));
  if (purpose === 'base') {
    if (fields.earmarkedCategory) problems.push({ path: `${prefix}earmarkedCategory`, message: 'must be absent for a base tranche' });
    return { purpose, earmarkedCategoryId: null };
  }
  const code = fields.earmarkedCategory ?? (determination?.purpose === 'earmarked' ? determination.earmarkedCategory : null);
  if (!code) {
    problems.push({ path: `${prefix}earmarkedCategory`, message: 'is required for an earmarked tranche' });
    return { purpose, earmarkedCategoryId: null };
  }
  const category = version.categories.find((c) => c.code === code);
  if (!category) {
    problems.push({
      path: `${prefix}earmarkedCategory`,
      message: `must be one of the scheme's ${version.financialYear} categories: ${version.categories.map((c) => c.code).join(', ')}`,
    });
    return { purpose, earmarkedCategoryId: null };
  }
  return { purpose, earmarkedCategoryId: category.id };
}

export function resolveTranche(version: SchemeVersion, body: TrancheBody, prefix: string, problems: FieldError[]): NewTranche {
  const determinationRef = body.determinationRef ?? null;
  return {
    amount: body.amount,
    description: body.description,
    determinationRef,
    ...resolvePurpose(version, { determinationRef, purpose: body.purpose, earmarkedCategory: body.earmarkedCategory }, prefix, problems),
    status: body.status,
    receivedOn: body.receivedOn ?? null,
  };
}

function asNewTranche(tranche: Tranche, grant: Grant): NewTranche {
  const earmarked = grant.categories.find((c) => c.code === tranche.earmarkedCategory);
  return {
    amount: tranche.amount,
    description: tranche.description,
    determinationRef: tranche.determinationRef,
    purpose: tranche.purpose,
    earmarkedCategoryId: earmarked?.categoryId ?? null,
    status: tranche.status,
    receivedOn: tranche.receivedOn,
  };
}

export async function findTranche(db: Kysely<Database>, organisationId: string, trancheId: string): Promise<{ tranche: Tranche; grant: Grant } | null> {
  const grantId = await findTrancheGrantId(db, organisationId, trancheId);
  if (!grantId) return null;
  const grant = await findGrant(db, organisationId, grantId);
  const tranche = grant?.tranches.find((t) => t.id === trancheId);
  return grant && tranche ? { tranche, grant } : null;
}

type Change = (tranche: Tranche, grant: Grant, version: SchemeVersion) => NewTranche | null;

/**
 * Every change to a tranche runs the same way: lock the grant, read the tranche after the
 * lock, apply, then re-check every cap and the allocation in the same transaction, so a
 * correction that would leave a category over its cap, or the grant having spent more than it
 * holds, changes nothing.
 */
async function changeTranche(
  db: Kysely<Database>,
  actor: Actor,
  trancheId: string,
  ifMatch: string | undefined,
  action: string,
  change: Change,
): Promise<{ tranche: Tranche; grant: Grant }> {
  const { organisationId } = actor;
  await inTransaction(db, async (trx) => {
    const owner = await findTrancheGrantId(trx, organisationId, trancheId);
    if (!owner) throw new NotFoundProblem('tranche');
    await lockGrant(trx, organisationId, owner);
    const found = (await findTranche(trx, organisationId, trancheId))!;
    const { tranche, grant } = found;
    assertIfMatch(ifMatch, etagOfTranche(tranche));
    const version = await grantSchemeVersion(trx, grant);
    const next = change(tranche, grant, version);
    if (next === null) return;
    await updateTranche(trx, trancheId, next, actor.userId);
    await assertAllocationWithinLimit(trx, grant.id, 'amount');
    const after = (await findGrant(trx, organisationId, grant.id))!;
    if (grant.funding.base.greaterThan(0) && after.funding.base.isZero() && (await hasLiveLines(trx, grant.id))) {
      throw new InvalidStateProblem(
        `This would leave the grant with no base allocation while it has live lines: every cap and planned share is a share of the base. Add the corrected tranche first, or withdraw the lines.`,
      );
    }
    const what = action === 'withdraw' ? `Withdrawing the ${formatPounds(tranche.amount)} tranche` : `This change to the tranche`;
    await assertFundingHolds(trx, grant.id, after.categories, next.amount, what);
    await recordChange(
      trx,
      { actorId: actor.userId, requestId: actor.requestId },
      {
        organisationId,
        action,
        entity: 'tranche',
        entityId: trancheId,
        before: auditViewOfTranche(grant.id, asNewTranche(tranche, grant), grant),
        after: auditViewOfTranche(grant.id, next, grant),
      },
    );
  });
  return (await findTranche(db, organisationId, trancheId))!;
}

/** A withdrawn tranche stays on record as it was: it can no longer be corrected. */
export function assertTrancheChangeable(tranche: Pick<Tranche, 'status'>): void {
  if (tranche.status === 'withdrawn') throw new InvalidStateProblem('This tranche is withdrawn and can no longer be changed.');
}

export async function amendTranche(
  db: Kysely<Database>,
  actor: Actor,
  trancheId: string,
  body: z.output<typeof updateTrancheBody>,
  ifMatch: string | undefined,
): Promise<{ tranche: Tranche; grant: Grant }> {
  return changeTranche(db, actor, trancheId, ifMatch, 'update', (tranche, grant, version) => {
    assertTrancheChangeable(tranche);
    const determinationRef = body.determinationRef !== undefined ? body.determinationRef : tranche.determinationRef;
    const problems: FieldError[] = [];
    // A new determination re-decides the purpose unless the council says it; otherwise it stays.
    const purposeGiven = body.purpose !== undefined || body.earmarkedCategory !== undefined || determinationRef !== tranche.determinationRef;
    const current = asNewTranche(tranche, grant);
    const purpose = purposeGiven
      ? resolvePurpose(version, { determinationRef, purpose: body.purpose, earmarkedCategory: body.earmarkedCategory }, '', problems)
      : { purpose: current.purpose, earmarkedCategoryId: current.earmarkedCategoryId };
    if (problems.length) throw new ValidationProblem(problems);
    return {
      amount: body.amount ?? tranche.amount,
      description: body.description ?? tranche.description,
      determinationRef,
      ...purpose,
      status: body.status ?? tranche.status,
      receivedOn: body.receivedOn !== undefined ? body.receivedOn : tranche.receivedOn,
    };
  });
}

/** A tranche entered twice, or never paid: it stays on record and counts in nothing. Twice is a no-op. */
export async function withdrawTranche(db: Kysely<Database>, actor: Actor, trancheId: string, ifMatch: string | undefined): Promise<{ tranche: Tranche; grant: Grant }> {
  return changeTranche(db, actor, trancheId, ifMatch, 'withdraw', (tranche, grant) => {
    if (tranche.status === 'withdrawn') return null;
    return { ...asNewTranche(tranche, grant), status: 'withdrawn' };
  });
}
