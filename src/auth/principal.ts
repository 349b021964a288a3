import type { Role } from '../db/tables.ts';

export const ROLES = ['reader', 'finance', 'programme_lead', 'admin'] as const satisfies readonly Role[];

/** Each role may do everything the roles before it may: finance "also" writes what readers read. */
const RANK: Record<Role, number> = { reader: 0, finance: 1, programme_lead: 2, admin: 3 };

export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

export interface Principal {
  readonly userId: string;
  readonly tokenId: string;
  readonly isPlatformAdmin: boolean;
  readonly roles: ReadonlyMap<string, Role>;
}

/** The organisation a request acts in, once its access rule has been checked. */
export interface ResolvedAccess {
  readonly organisationId: string;
  /** The member's role, or null for a platform administrator acting from outside. */
  readonly role: Role | null;
}
