import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'rf_';

/** 256 random bits; the prefix lets secret scanners recognise a leaked token. */
export function generateApiToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
