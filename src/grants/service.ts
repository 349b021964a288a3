import { inTransaction } from '../db/transaction.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../auth/access.ts';
import { recordChange } from '../audit/record.ts';
import type { z } from 'zod';
import type { Database } from '../db/tables.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { findSchemeByCode, type SchemeVersion, versionFor } from '../schemes/repository.ts';
import { type Decimal, formatShare } from '../shared/money.ts';
import { ConflictProblem, type FieldError, NotFoundProblem, ValidationProblem } from '../shared/problems.ts';
import { assertAllocationWithinLimit, assertFundingHolds } from './cap.ts';
import { findGrant, type Grant, insertGrant, insertTranches, lockGrant, type NewTranche, type Tranche, updateGrantCategory } from './repository.ts';
import type { categorySettingsBody, createGrantBody } from './schemas.ts';
import { auditViewOfTranche, grantSchemeVersion, resolveTranche, type TrancheBody } from './tranches.ts';

// The reads the pages share with the API: the service is the feature's one door.
export { findGrant, findGrants } from './repository.ts';

/** A cap from the scheme is a grant condition: an organisation may tighten it, never loosen it. */
function checkMaxShare(schemeMax: Decimal | null, requested: Decimal | null, path: string): FieldError | null {
  if (schemeMax === null) return null;
  if (requested === null || requested.greaterThan(schemeMax)) {
    return { path, message: `must not loosen the scheme's cap of ${formatShare(schemeMax)}` };
  }
  return null;
}

export async function createGrant(db: Kysely<Database>, actor: Actor, body: z.output<typeof createGrantBody>): Promise<Grant> {
  const { organisationId, userId: actorId } = actor;
  const scheme = await findSchemeByCode(db, body.scheme);
  if (!scheme) {
    throw new ValidationProblem([{ path: 'scheme', message: `is not a known scheme code` }]);
  }
  const version = versionFor(scheme, body.financialYear);
  if (!version) {
    const first = scheme.versions[0]?.financialYear ?? 'no year';
    throw new ValidationProblem([{ path: 'financialYear', message: `${scheme.code} has conditions from ${first} only` }]);
  }
  const settings = new Map(version.categories.map((c) => [c.code, { plannedShare: c.plannedShare, maxShare: c.maxShare }]));
  const problems: FieldError[] = [];
  const tranches = body.tranches.map((tranche, index) => resolveTranche(version, tranche, `tranches.${index}.`, problems));
  (body.categories ?? []).forEach((setting, index) => {
    const schemeCategory = version.categories.find((c) => c.code === setting.code);
    if (!schemeCategory) {
      problems.push({ path: `categories.${index}.code`, message: `is not a category of ${scheme.code}` });
      return;
    }
    const current = settings.get(setting.code)!;
    if (setting.maxShare !== undefined) {
      const problem = checkMaxShare(schemeCategory.maxShare, setting.maxShare, `categories.${index}.maxShare`);
      if (problem) problems.push(problem);
      current.maxShare = setting.maxShare;
    }
    if (setting.plannedShare !== undefined) current.plannedShare = setting.plannedShare;
  });
  if (problems.length) throw new ValidationProblem(problems);

  try {
    const grantId = await inTransaction(db, async (trx) => {
      const grant = await insertGrant(
        trx,
        { organisationId, schemeId: scheme.id, schemeVersionId: version.id, financialYear: body.financialYear, createdBy: actorId },
        version.categories.map((c) => ({ categoryId: c.id, ...settings.get(c.code)! })),
      );
      const trancheIds = await insertTranches(trx, { id: grant.id, organisationId, financialYear: grant.financial_year }, tranches, actorId);
      await assertAllocationWithinLimit(trx, grant.id, 'tranches');
      await recordChange(trx, auditContext(actor), {
        organisationId,
        action: 'create',
        entity: 'grant',
        entityId: grant.id,
        before: null,
        after: {
          scheme: scheme.code,
          schemeVersion: version.financialYear,
          financialYear: body.financialYear,
          categories: Object.fromEntries([...settings].map(([code, s]) => [code, { plannedShare: formatShare(s.plannedShare), maxShare: s.maxShare && formatShare(s.maxShare) }])),
        },
      });
      for (const [index, tranche] of tranches.entries()) {
        await recordTranche(trx, actor, grant.id, trancheIds[index]!, tranche, version);
      }
      return grant.id;
    });
    return (await findGrant(db, organisationId, grantId))!;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictProblem(`This organisation already has a ${body.scheme} grant for ${body.financialYear}.`);
    }
    throw error;
  }
}

function auditContext(actor: Actor) {
  return { actorId: actor.userId, requestId: actor.requestId };
}

async function recordTranche(trx: Transaction<Database>, actor: Actor, grantId: string, trancheId: string, tranche: NewTranche, version: SchemeVersion | Grant): Promise<void> {
  await recordChange(trx, auditContext(actor), {
    organisationId: actor.organisationId,
    action: 'create',
    entity: 'tranche',
    entityId: trancheId,
    before: null,
    after: auditViewOfTranche(grantId, tranche, version),
  });
}

export async function addTranche(db: Kysely<Database>, actor: Actor, grantId: string, body: TrancheBody): Promise<{ tranche: Tranche; grant: Grant }> {
  const { organisationId } = actor;
  const trancheId = await inTransaction(db, async (trx) => {
    // Allocation feeds every cap: take the grant lock like any other write that moves it.
    const locked = await lockGrant(trx, organisationId, grantId);
    if (!locked) throw new NotFoundProblem('grant');
    const grant = (await findGrant(trx, organisationId, grantId))!;
    const version = await grantSchemeVersion(trx, grant);
    const problems: FieldError[] = [];
    const tranche = resolveTranche(version, body, '', problems);
    if (problems.length) throw new ValidationProblem(problems);
    const [id] = await insertTranches(trx, locked, [tranche], actor.userId);
    await assertAllocationWithinLimit(trx, grantId, 'amount');
    await recordTranche(trx, actor, grantId, id!, tranche, version);
    return id!;
  });
  const grant = (await findGrant(db, organisationId, grantId))!;
  return { tranche: grant.tranches.find((t) => t.id === trancheId)!, grant };
}

export async function updateCategorySettings(
  db: Kysely<Database>,
  actor: Actor,
  grantId: string,
  categoryCode: string,
  body: z.output<typeof categorySettingsBody>,
): Promise<Grant> {
  const { organisationId } = actor;
  await db.transaction().execute(async (trx) => {
    const locked = await lockGrant(trx, organisationId, grantId);
    if (!locked) throw new NotFoundProblem('grant');
    const grant = (await findGrant(trx, organisationId, grantId))!;
    const category = grant.categories.find((c) => c.code === categoryCode);
    if (!category) throw new NotFoundProblem('category');
    if (body.maxShare !== undefined) {
      const problem = checkMaxShare(category.schemeMaxShare, body.maxShare, 'maxShare');
      if (problem) throw new ValidationProblem([problem]);
    }
    await updateGrantCategory(trx, grantId, category.categoryId, body);
    if (body.maxShare !== undefined && body.maxShare !== null) {
      // A tighter cap must still hold what is already committed and spent.
      await assertFundingHolds(trx, grantId, [{ ...category, maxShare: body.maxShare }], body.maxShare, `A cap of ${formatShare(body.maxShare)}`);
    }
    const shares = (plannedShare: Decimal, maxShare: Decimal | null) => ({ plannedShare: formatShare(plannedShare), maxShare: maxShare && formatShare(maxShare) });
    await recordChange(trx, auditContext(actor), {
      organisationId,
      action: 'update',
      entity: 'grant-category',
      entityId: `${grantId}/${categoryCode}`,
      before: shares(category.plannedShare, category.maxShare),
      after: shares(body.plannedShare ?? category.plannedShare, body.maxShare !== undefined ? body.maxShare : category.maxShare),
    });
  });
  return (await findGrant(db, organisationId, grantId))!;
}
