import { randomBytes } from 'node:crypto';

/** OWASP's minimum for argon2id: 19 MiB of memory, two passes, one lane. */
// algorithm 2 is Argon2id (the package's Algorithm is a const enum, which isolated modules cannot read).
const ARGON2ID = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;

/** The native argon2 library is loaded on the first hash or check, not at start: it adds ~10 MB to an idle server. */
const argon2 = () => import('@node-rs/argon2');

export async function hashPassword(password: string): Promise<string> {
  return (await argon2()).hash(password, ARGON2ID);
}

/**
 * A hash of a password nobody knows, verified when the email is unknown or has no password,
 * so a failed sign-in costs the same time whether or not the account exists.
 */
let decoyHash: Promise<string> | null = null;

export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  decoyHash ??= hashPassword(randomBytes(18).toString('base64url'));
  const target = storedHash ?? (await decoyHash);
  try {
    const matches = await (await argon2()).verify(target, password);
    return storedHash !== null && matches;
  } catch {
    return false;
  }
}

/** 120 random bits, readable aloud in groups: for first start and for admins setting one. */
export function generatePassword(): string {
  const text = randomBytes(15).toString('base64url').replace(/[-_]/g, 'x');
  return text.match(/.{1,5}/g)!.join('-');
}
