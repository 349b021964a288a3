import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { canonicalJson } from './chain.ts';

const KEY_FILE = 'audit-key';

/** What a checkpoint's signature covers: the chain's head at an instant. */
export interface SignedHead {
  readonly chainId: string;
  readonly seq: string;
  readonly hash: string;
  readonly signedAt: string;
}

/**
 * Signs chain heads with the Ed25519 key of RINGFENCE_AUDIT_KEY. The private key stays in this
 * process; the database is given only signatures, the public key and its id, so whoever owns
 * the database can rewrite the records but cannot sign the rewritten head.
 */
export interface AuditSigner {
  /** The first 16 hex digits of the SHA-256 of the public key (SPKI DER). */
  readonly keyId: string;
  /** The public key, SPKI DER in base64. */
  readonly publicKey: string;
  sign(head: SignedHead): string;
  /** True only for a signature by this signer's key over exactly this head. */
  verify(head: SignedHead, signature: string): boolean;
}

const payload = (head: SignedHead): Buffer => Buffer.from(canonicalJson({ chainId: head.chainId, seq: head.seq, hash: head.hash, signedAt: head.signedAt }) ?? '', 'utf8');

/** A PEM private key, or the base64 of its PKCS#8 DER; anything but Ed25519 is refused. */
export function parseAuditKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    key = trimmed.startsWith('-----BEGIN') ? createPrivateKey(trimmed) : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new Error('RINGFENCE_AUDIT_KEY is not a private key (PEM, or base64 PKCS#8 DER)', { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`RINGFENCE_AUDIT_KEY must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

/** A new Ed25519 private key as base64 PKCS#8 DER, the form RINGFENCE_AUDIT_KEY takes. */
export function generateAuditKey(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
}

export function createAuditSigner(privateKey: KeyObject): AuditSigner {
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    keyId: createHash('sha256').update(spki).digest('hex').slice(0, 16),
    publicKey: spki.toString('base64'),
    sign: (head) => sign(null, payload(head), privateKey).toString('base64'),
    verify(head, signature) {
      try {
        return verify(null, payload(head), publicKey, Buffer.from(signature, 'base64'));
      } catch {
        return false;
      }
    },
  };
}

/**
 * The configured key; absent (config allows it only outside production), the embedded database
 * keeps one beside its data, like the session secret, so checkpoints still verify after a
 * restart; on a PostgreSQL of one's own each process makes its own, and checkpoints signed by
 * an earlier process are then reported as signed by another key.
 */
export async function resolveAuditSigner(config: Config): Promise<AuditSigner> {
  const text = config.auditKey ?? (config.databaseUrl ? generateAuditKey() : await keptKey(config.dataDir));
  return createAuditSigner(parseAuditKey(text));
}

async function keptKey(dataDir: string): Promise<string> {
  const path = join(dataDir, KEY_FILE);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = generateAuditKey();
  try {
    // 'wx': if another process wrote it first, read theirs instead.
    await writeFile(path, key, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(path, 'utf8')).trim();
    throw error;
  }
}
