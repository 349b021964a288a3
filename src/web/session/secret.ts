import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../config.ts';

const SECRET_FILE = 'session-secret';

/**
 * The 32-byte key that encrypts session cookies. Production must set RINGFENCE_SESSION_SECRET
 * (config refuses to start without it). In development on the embedded database the secret is
 * kept beside that database, so a restart keeps people signed in; with DATABASE_URL and no
 * secret (tests, a developer's own PostgreSQL) each process makes its own, and a restart signs
 * everyone out, which is safe.
 */
export async function resolveSessionKey(config: Config): Promise<Buffer> {
  const secret = config.sessionSecret ?? (config.databaseUrl ? randomBytes(32).toString('base64url') : await keptSecret(config.dataDir));
  // HKDF turns a passphrase of any length into exactly the key size secure-session needs.
  return Buffer.from(hkdfSync('sha256', secret, 'ringfence', 'web session cookie', 32));
}

async function keptSecret(dataDir: string): Promise<string> {
  const path = join(dataDir, SECRET_FILE);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    // 'wx': if another process wrote it first, read theirs instead.
    await writeFile(path, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(path, 'utf8')).trim();
    throw error;
  }
}
