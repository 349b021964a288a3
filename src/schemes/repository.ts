import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
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

export interface Scheme {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly headings: readonly SchemeHeading[];
  readonly categories: readonly SchemeCategory[];
}

export async function listSchemes(db: Kysely<Database>, code?: string): Promise<Scheme[]> {
  let schemesQuery = db.selectFrom('schemes').select(['id', 'code', 'name']).orderBy('code');
  if (code !== undefined) schemesQuery = schemesQuery.where('code', '=', code);
  const schemes = await schemesQuery.execute();
  if (schemes.length === 0) return [];
  const ids = schemes.map((s) => s.id);
  const [headings, categories] = await Promise.all([
    db.selectFrom('scheme_headings').select(['scheme_id', 'code', 'label', 'position']).where('scheme_id', 'in', ids).orderBy('position').execute(),
    db
      .selectFrom('scheme_categories')
      .select(['id', 'scheme_id', 'code', 'name', 'heading_code', 'planned_share', 'max_share', 'position'])
      .where('scheme_id', 'in', ids)
      .orderBy('position')
      .execute(),
  ]);
  return schemes.map((scheme) => ({
    ...scheme,
    headings: headings.filter((h) => h.scheme_id === scheme.id).map(({ code: c, label, position }) => ({ code: c, label, position })),
    categories: categories
      .filter((c) => c.scheme_id === scheme.id)
      .map((c) => ({
        id: c.id,
        code: c.code,
        name: c.name,
        heading: c.heading_code,
        plannedShare: new Decimal(c.planned_share),
        maxShare: c.max_share === null ? null : new Decimal(c.max_share),
        position: c.position,
      })),
  }));
}

export async function findSchemeByCode(db: Kysely<Database>, code: string): Promise<Scheme | null> {
  const [scheme] = await listSchemes(db, code);
  return scheme ?? null;
}
