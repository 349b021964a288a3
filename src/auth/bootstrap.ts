import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import { generateApiToken, hashApiToken } from './tokens.ts';
import { recordChange } from '../audit/record.ts';
import { generatePassword, hashPassword } from './passwords.ts';
import { anyUserExists, insertApiToken, insertUser, lockFirstStart } from './users-repository.ts';

export interface BootstrapResult {
  /** Set only when an administrator was created just now with a random token. */
  readonly generatedToken: string | null;
  readonly created: boolean;
  /** Present only when an administrator was created just now: the web sign-in, printed once. */
  readonly signIn?: { readonly email: string; readonly password: string };
}

const ADMIN_EMAIL = 'admin@ringfence.local';

/**
 * First start: with no users at all, make a platform administrator whose token is
 * RINGFENCE_ADMIN_TOKEN, or a random one that the caller prints once.
 */
export async function bootstrapPlatformAdmin(db: Kysely<Database>, adminToken: string | undefined): Promise<BootstrapResult> {
  return db.transaction().execute(async (trx) => {
    // Two instances starting together must not both create an administrator.
    await lockFirstStart(trx);
    if (await anyUserExists(trx)) return { generatedToken: null, created: false };
    const token = adminToken ?? generateApiToken();
    // The web pages need a password as the API needs a token; only its hash is kept.
    const password = generatePassword();
    const adminId = await insertUser(trx, { email: ADMIN_EMAIL, name: 'Platform administrator', isPlatformAdmin: true, passwordHash: await hashPassword(password) });
    await insertApiToken(trx, { userId: adminId, name: 'bootstrap', tokenHash: hashApiToken(token), expiresAt: null, createdBy: adminId, organisationId: null });
    await recordChange(
      trx,
      { actorId: null },
      {
        organisationId: null,
        action: 'create',
        entity: 'user',
        entityId: adminId,
        before: null,
        after: { isPlatformAdmin: true, passwordSet: true, reason: 'first start' },
      },
    );
    return { generatedToken: adminToken ? null : token, created: true, signIn: { email: ADMIN_EMAIL, password } };
  });
}
