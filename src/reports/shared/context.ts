import type { Grant, GrantCategory } from '../../grants/repository.ts';
import type { AsAt } from '../../figures/as-at.ts';
import type { CategoryCommitted, CommitteeLineRow, OrganisationHeader } from '../repository.ts';

/**
 * What every grant report starts from: who it is for, the grant as it stood, and when. The
 * loaders (../service.ts) read it; the generators take it and never touch the database.
 */
export interface ReportContext {
  readonly organisation: OrganisationHeader;
  /** The grant as it stood at `asAt` (its tranches and category settings then), or now. */
  readonly grant: Grant;
  readonly asAt: AsAt | null;
}

/** A row with what reports print beside it: its category and heading as the grant names them. */
export type WithCategory<T> = T & { readonly category: GrantCategory };

export interface CommitteeLines {
  /** The period's last day the lines were committed by, or null for every line. */
  readonly on: string | null;
  readonly lines: readonly CommitteeLineRow[];
  /** By category id: what its live lines add up to, from the same statement as the lines. */
  readonly categories: ReadonlyMap<string, CategoryCommitted>;
}

export function categoryFinder(grant: Grant): (categoryId: string) => GrantCategory {
  const categories = new Map(grant.categories.map((category) => [category.categoryId, category]));
  return (categoryId) => {
    const category = categories.get(categoryId);
    // grant_categories rows are never deleted, so every line's category is among them.
    if (!category) throw new Error(`Category ${categoryId} is not one of grant ${grant.id}'s`);
    return category;
  };
}
