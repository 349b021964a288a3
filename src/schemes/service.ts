import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { recordChange } from '../audit/record.ts';
import type { Database } from '../db/tables.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { inTransaction } from '../db/transaction.ts';
import { formatShare, sumDecimals } from '../shared/money.ts';
import { ConflictProblem, type FieldError, NotFoundProblem, ValidationProblem } from '../shared/problems.ts';
import { findSchemeByCode, insertScheme, insertSchemeVersion, type NewSchemeVersion, type Scheme, schemeIdByCode } from './repository.ts';
import type { createSchemeBody, schemeVersionBody } from './schemas.ts';

// The reads the pages share with the API: the service is the feature's one door.
export { findSchemeByCode, listSchemes } from './repository.ts';

type VersionBody = z.output<typeof schemeVersionBody>;
/** Schemes are platform-wide: whoever acts, acts in no organisation. */
export interface PlatformActor {
  readonly userId: string;
  readonly requestId: string;
}

/** Everything that makes a version's conditions inconsistent, each naming its field. */
function versionProblems(version: VersionBody, prefix: string): FieldError[] {
  const problems: FieldError[] = [];
  const headingCodes = new Set<string>();
  version.headings.forEach((h, i) => {
    if (headingCodes.has(h.code)) problems.push({ path: `${prefix}headings.${i}.code`, message: 'is repeated' });
    headingCodes.add(h.code);
  });
  const categoryCodes = new Set<string>();
  version.categories.forEach((c, i) => {
    if (categoryCodes.has(c.code)) problems.push({ path: `${prefix}categories.${i}.code`, message: 'is repeated' });
    categoryCodes.add(c.code);
    if (!headingCodes.has(c.heading)) problems.push({ path: `${prefix}categories.${i}.heading`, message: 'is not one of the headings' });
    if (c.maxShare && c.plannedShare.greaterThan(c.maxShare)) {
      problems.push({ path: `${prefix}categories.${i}.plannedShare`, message: 'must not exceed maxShare' });
    }
  });
  if (sumDecimals(version.categories.map((c) => c.plannedShare)).greaterThan(1)) {
    problems.push({ path: `${prefix}categories`, message: 'planned shares must not add up to more than 1' });
  }
  const refs = new Set<string>();
  version.determinations.forEach((d, i) => {
    if (refs.has(d.ref)) problems.push({ path: `${prefix}determinations.${i}.ref`, message: 'is repeated' });
    refs.add(d.ref);
    if (d.purpose === 'earmarked' && d.earmarkedCategory === undefined) {
      problems.push({ path: `${prefix}determinations.${i}.earmarkedCategory`, message: 'is required for an earmarked determination' });
    }
    if (d.purpose === 'base' && d.earmarkedCategory !== undefined) {
      problems.push({ path: `${prefix}determinations.${i}.earmarkedCategory`, message: 'must be absent for a base determination' });
    }
    if (d.earmarkedCategory !== undefined && !categoryCodes.has(d.earmarkedCategory)) {
      problems.push({ path: `${prefix}determinations.${i}.earmarkedCategory`, message: "is not one of this version's categories" });
    }
  });
  const periods = new Set<string>();
  version.returnDueDates.forEach((due, i) => {
    const key = `${due.return}/${due.period}`;
    if (periods.has(key)) problems.push({ path: `${prefix}returnDueDates.${i}.period`, message: 'is repeated' });
    periods.add(key);
  });
  return problems;
}

function toNewVersion(version: VersionBody): NewSchemeVersion {
  return {
    financialYear: version.financialYear,
    headings: version.headings,
    categories: version.categories.map((c) => ({ ...c, maxShare: c.maxShare ?? null })),
    determinations: version.determinations.map((d) => ({ ref: d.ref, title: d.title, purpose: d.purpose, earmarkedCategory: d.earmarkedCategory ?? null })),
    expectationsSet: version.expectationsSet ?? null,
    returnDueDates: version.returnDueDates,
  };
}

function auditViewOfVersion(version: VersionBody): Record<string, unknown> {
  return {
    ...version,
    categories: version.categories.map((c) => ({ ...c, plannedShare: formatShare(c.plannedShare), maxShare: c.maxShare ? formatShare(c.maxShare) : null })),
  };
}

export async function createScheme(db: Kysely<Database>, actor: PlatformActor, body: z.output<typeof createSchemeBody>): Promise<Scheme> {
  const problems = body.versions.flatMap((version, i) => versionProblems(version, `versions.${i}.`));
  const years = new Set<string>();
  body.versions.forEach((version, i) => {
    if (years.has(version.financialYear)) problems.push({ path: `versions.${i}.financialYear`, message: 'is repeated' });
    years.add(version.financialYear);
  });
  if (problems.length) throw new ValidationProblem(problems);
  try {
    await inTransaction(db, async (trx) => {
      const schemeId = await insertScheme(trx, body.code, body.name);
      for (const version of body.versions) await insertSchemeVersion(trx, schemeId, toNewVersion(version), actor.userId);
      await recordChange(
        trx,
        { actorId: actor.userId, requestId: actor.requestId },
        {
          organisationId: null,
          action: 'create',
          entity: 'scheme',
          entityId: schemeId,
          before: null,
          after: { code: body.code, name: body.name, versions: body.versions.map(auditViewOfVersion) },
        },
      );
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictProblem(`A scheme with code ${body.code} already exists.`, { field: 'code' });
    throw error;
  }
  return (await findSchemeByCode(db, body.code))!;
}

export async function addSchemeVersion(db: Kysely<Database>, actor: PlatformActor, code: string, body: VersionBody): Promise<Scheme> {
  const schemeId = await schemeIdByCode(db, code);
  if (!schemeId) throw new NotFoundProblem('scheme');
  const problems = versionProblems(body, '');
  if (problems.length) throw new ValidationProblem(problems);
  try {
    await inTransaction(db, async (trx) => {
      const versionId = await insertSchemeVersion(trx, schemeId, toNewVersion(body), actor.userId);
      await recordChange(
        trx,
        { actorId: actor.userId, requestId: actor.requestId },
        {
          organisationId: null,
          action: 'create',
          entity: 'scheme-version',
          entityId: versionId,
          before: null,
          after: { scheme: code, ...auditViewOfVersion(body) },
        },
      );
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictProblem(`${code} already has a version for ${body.financialYear}; a year's conditions are set once.`, { field: 'financialYear' });
    }
    throw error;
  }
  return (await findSchemeByCode(db, code))!;
}
