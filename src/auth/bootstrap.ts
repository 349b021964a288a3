import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import { generateApiToken, hashApiToken } from './tokens.ts';
import { recordChange } from '../audit/record.ts';
import { generatePassword, hashPassword } from '../web/session/passwords.ts';

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
    await trx.selectFrom('schemes').select('id').where('code', '=', 'csc-prevention').forUpdate().execute();
    const anyUser = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (anyUser) return { generatedToken: null, created: false };
    const token = adminToken ?? generateApiToken();
    // The web pages need a password as the API needs a token; only its hash is kept.
    const password = generatePassword();
    const admin = await trx
      .insertInto('users')
      .values({ email: ADMIN_EMAIL, name: 'Platform administrator', is_platform_admin: true, password_hash: await hashPassword(password), password_changed_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('api_tokens')
      .values({ user_id: admin.id, name: 'bootstrap', token_hash: hashApiToken(token), expires_at: null, revoked_at: null, created_by: admin.id })
      .execute();
    await recordChange(trx, { actorId: null }, {
      organisationId: null,
      action: 'create',
      entity: 'user',
      entityId: admin.id,
      before: null,
      after: { isPlatformAdmin: true, passwordSet: true, reason: 'first start' },
    });
    return { generatedToken: adminToken ? null : token, created: true, signIn: { email: ADMIN_EMAIL, password } };
  });
}
