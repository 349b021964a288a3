import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'rf_';

/** 256 random bits; the prefix lets secret scanners recognise a leaked token. */
export function generateApiToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The secret of a one-time link (256 random bits, URL-safe). */
export function generateLinkSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 of a high-entropy secret (a token or a link's): no salt or slow hash is needed. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
