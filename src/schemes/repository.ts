import type { Kysely, Transaction } from 'kysely';
import type { Database, ReturnDueDate, TranchePurpose } from '../db/tables.ts';
import { Decimal } from '../shared/money.ts';

export interface SchemeHeading {
  readonly code: string;
  readonly label: string;
  readonly position: number;
}

export interface SchemeCategory {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly heading: string;
  readonly plannedShare: Decimal;
  readonly maxShare: Decimal | null;
  readonly position: number;
}

export interface SchemeDetermination {
  readonly ref: string;
  readonly title: string;
  readonly purpose: TranchePurpose;
  readonly earmarkedCategory: string | null;
}

/** A scheme's conditions for one financial year (and later ones, until the next version). */
export interface SchemeVersion {
  readonly id: string;
  readonly financialYear: string;
  readonly headings: readonly SchemeHeading[];
  readonly categories: readonly SchemeCategory[];
  readonly determinations: readonly SchemeDetermination[];
  readonly expectationsSet: string | null;
  readonly returnDueDates: readonly ReturnDueDate[];
}

export interface Scheme {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  /** Oldest year first. */
  readonly versions: readonly SchemeVersion[];
}

export async function listSchemes(db: Kysely<Database>, code?: string): Promise<Scheme[]> {
  let schemesQuery = db.selectFrom('schemes').select(['id', 'code', 'name']).orderBy('code');
  if (code !== undefined) schemesQuery = schemesQuery.where('code', '=', code);
  const schemes = await schemesQuery.execute();
  if (schemes.length === 0) return [];
  const ids = schemes.map((s) => s.id);
  const [versions, headings, categories, determinations] = await Promise.all([
    db
      .selectFrom('scheme_versions')
      .select(['id', 'scheme_id', 'financial_year', 'expectations_set', 'return_due_dates'])
      .where('scheme_id', 'in', ids)
      .orderBy('financial_year')
      .execute(),
    db.selectFrom('scheme_headings').select(['version_id', 'code', 'label', 'position']).where('scheme_id', 'in', ids).orderBy('position').execute(),
    db
      .selectFrom('scheme_categories')
      .select(['id', 'version_id', 'code', 'name', 'heading_code', 'planned_share', 'max_share', 'position'])
      .where('scheme_id', 'in', ids)
      .orderBy('position')
      .execute(),
    db
      .selectFrom('scheme_determinations as d')
      .innerJoin('scheme_versions as v', 'v.id', 'd.version_id')
      .select(['d.version_id', 'd.ref', 'd.title', 'd.purpose', 'd.earmarked_category_code'])
      .where('v.scheme_id', 'in', ids)
      .orderBy('d.position')
      .execute(),
  ]);
  return schemes.map((scheme) => ({
    ...scheme,
    versions: versions
      .filter((v) => v.scheme_id === scheme.id)
      .map((v) => ({
        id: v.id,
        financialYear: v.financial_year,
        expectationsSet: v.expectations_set,
        returnDueDates: v.return_due_dates,
        headings: headings.filter((h) => h.version_id === v.id).map(({ code: c, label, position }) => ({ code: c, label, position })),
        categories: categories
          .filter((c) => c.version_id === v.id)
          .map((c) => ({
            id: c.id,
            code: c.code,
            name: c.name,
            heading: c.heading_code,
            plannedShare: new Decimal(c.planned_share),
            maxShare: c.max_share === null ? null : new Decimal(c.max_share),
            position: c.position,
          })),
        determinations: determinations
          .filter((d) => d.version_id === v.id)
          .map((d) => ({ ref: d.ref, title: d.title, purpose: d.purpose, earmarkedCategory: d.earmarked_category_code })),
      })),
  }));
}

export async function findSchemeByCode(db: Kysely<Database>, code: string): Promise<Scheme | null> {
  const [scheme] = await listSchemes(db, code);
  return scheme ?? null;
}

/** The version in force for a financial year: its own, else the nearest earlier one. */
export function versionFor(scheme: Scheme, financialYear: string): SchemeVersion | null {
  let found: SchemeVersion | null = null;
  for (const version of scheme.versions) {
    if (version.financialYear <= financialYear) found = version;
  }
  return found;
}

export interface NewSchemeVersion {
  readonly financialYear: string;
  readonly headings: readonly { code: string; label: string }[];
  readonly categories: readonly { code: string; name: string; heading: string; plannedShare: Decimal; maxShare: Decimal | null }[];
  readonly determinations: readonly SchemeDetermination[];
  readonly expectationsSet: string | null;
  readonly returnDueDates: readonly ReturnDueDate[];
}

export async function insertScheme(trx: Transaction<Database>, code: string, name: string): Promise<string> {
  const row = await trx.insertInto('schemes').values({ code, name }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function insertSchemeVersion(trx: Transaction<Database>, schemeId: string, version: NewSchemeVersion, actorId: string): Promise<string> {
  const { id: versionId } = await trx
    .insertInto('scheme_versions')
    .values({
      scheme_id: schemeId,
      financial_year: version.financialYear,
      expectations_set: version.expectationsSet,
      return_due_dates: JSON.stringify(version.returnDueDates),
      created_by: actorId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('scheme_headings')
    .values(version.headings.map((h, i) => ({ scheme_id: schemeId, version_id: versionId, code: h.code, label: h.label, position: i + 1 })))
    .execute();
  await trx
    .insertInto('scheme_categories')
    .values(
      version.categories.map((c, i) => ({
        scheme_id: schemeId,
        version_id: versionId,
        code: c.code,
        name: c.name,
        heading_code: c.heading,
        planned_share: c.plannedShare.toString(),
        max_share: c.maxShare === null ? null : c.maxShare.toString(),
        position: i + 1,
      })),
    )
    .execute();
  if (version.determinations.length > 0) {
    await trx
      .insertInto('scheme_determinations')
      .values(
        version.determinations.map((d, i) => ({
          version_id: versionId,
          ref: d.ref,
          title: d.title,
          purpose: d.purpose,
          earmarked_category_code: d.earmarkedCategory,
          position: i + 1,
        })),
      )
      .execute();
  }
  return versionId;
}

export async function schemeIdByCode(db: Kysely<Database>, code: string): Promise<string | null> {
  const row = await db.selectFrom('schemes').select('id').where('code', '=', code).executeTakeFirst();
  return row?.id ?? null;
}
