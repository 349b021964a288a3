import type { Kysely } from 'kysely';
import { recordChange } from '../audit/record.ts';
import type { Database } from '../db/tables.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { ConflictProblem } from '../shared/problems.ts';
import { insertOrganisation, type Organisation } from './repository.ts';

/** A new organisation and its audit record, in one transaction. */
export async function createOrganisation(
  db: Kysely<Database>,
  actor: { readonly userId: string; readonly requestId: string },
  fields: { readonly name: string; readonly code: string },
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
          after: { name: organisation.name, code: organisation.code },
        },
      );
      return organisation;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictProblem(`An organisation with code ${fields.code} already exists.`);
    throw error;
  }
}
