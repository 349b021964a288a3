import type { Kysely } from 'kysely';
import { recordChange } from '../audit/record.ts';
import type { Database, OrganisationKind } from '../db/tables.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { ConflictProblem, NotFoundProblem } from '../shared/problems.ts';
import { insertOrganisation, lockOrganisation, type Organisation, updateOrganisation } from './repository.ts';

export { findOrganisation, listOrganisations, type Organisation } from './repository.ts';

interface OrganisationActor {
  readonly userId: string;
  readonly requestId: string;
}

/** A new organisation and its audit record, in one transaction. */
export async function createOrganisation(
  db: Kysely<Database>,
  actor: OrganisationActor,
  fields: { readonly name: string; readonly code: string; readonly emailDomains: readonly string[]; readonly kind?: OrganisationKind },
): Promise<Organisation> {
  try {
    return await db.transaction().execute(async (trx) => {
      const organisation = await insertOrganisation(trx, fields);
      await recordChange(
        trx,
        { actorId: actor.userId, requestId: actor.requestId },
        {
          organisationId: organisation.id,
          action: 'create',
          entity: 'organisation',
          entityId: organisation.id,
          before: null,
          after: { name: organisation.name, code: organisation.code, kind: organisation.kind, emailDomains: organisation.emailDomains },
        },
      );
      return organisation;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictProblem(`An organisation with code ${fields.code} already exists.`, { field: 'code' });
    throw error;
  }
}

/** Renames an organisation or replaces its email domains (platform administrators), audited. */
export async function changeOrganisation(
  db: Kysely<Database>,
  actor: OrganisationActor,
  id: string,
  fields: { readonly name?: string; readonly emailDomains?: readonly string[] },
): Promise<Organisation> {
  return db.transaction().execute(async (trx) => {
    const before = await lockOrganisation(trx, id);
    if (!before) throw new NotFoundProblem('organisation');
    if (fields.name === undefined && fields.emailDomains === undefined) return before;
    const after = (await updateOrganisation(trx, id, fields))!;
    await recordChange(
      trx,
      { actorId: actor.userId, requestId: actor.requestId },
      {
        organisationId: id,
        action: 'update',
        entity: 'organisation',
        entityId: id,
        before: { name: before.name, emailDomains: before.emailDomains },
        after: { name: after.name, emailDomains: after.emailDomains },
      },
    );
    return after;
  });
}
