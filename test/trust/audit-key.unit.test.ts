import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuditSigner, generateAuditKey, parseAuditKey, resolveAuditSigner } from '../../src/audit/signing.ts';
import { loadConfig } from '../../src/config.ts';

const head = { chainId: '6f1c2a52-3f0e-4c1a-9a7e-1d2b3c4d5e6f', seq: '42', hash: 'a'.repeat(64), signedAt: '2025-09-01T09:00:00.000Z' };

describe('the audit key', () => {
  it('is required in production, and must be an Ed25519 private key', () => {
    const production = { NODE_ENV: 'production', RINGFENCE_SESSION_SECRET: 'x'.repeat(32) };
    expect(() => loadConfig(production)).toThrow(/RINGFENCE_AUDIT_KEY: is required/);
    expect(loadConfig({ ...production, RINGFENCE_AUDIT_KEY: generateAuditKey() }).auditKey).toBeDefined();
    expect(() => loadConfig({ RINGFENCE_AUDIT_KEY: 'not a key' })).toThrow(/RINGFENCE_AUDIT_KEY is not a private key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadConfig({ RINGFENCE_AUDIT_KEY: rsa })).toThrow(/must be an Ed25519 key, not rsa/);
    expect(loadConfig({}).auditKey).toBeUndefined();
  });

  it('accepts a PKCS#8 PEM key (what openssl genpkey writes) and base64 PKCS#8 DER alike', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const fromPem = createAuditSigner(parseAuditKey(pem));
    const der = parseAuditKey(pem).export({ format: 'der', type: 'pkcs8' }).toString('base64');
    expect(createAuditSigner(parseAuditKey(der)).keyId).toBe(fromPem.keyId);
  });

  it('verifies only its own signature over exactly the head signed', () => {
    const signer = createAuditSigner(parseAuditKey(generateAuditKey()));
    const other = createAuditSigner(parseAuditKey(generateAuditKey()));
    const signature = signer.sign(head);
    expect(signer.verify(head, signature)).toBe(true);
    expect(signer.verify({ ...head, seq: '43' }, signature)).toBe(false);
    expect(signer.verify({ ...head, signedAt: '2025-09-01T09:00:00.001Z' }, signature)).toBe(false);
    expect(other.verify(head, signature)).toBe(false);
    expect(signer.verify(head, 'not base64 at all')).toBe(false);
    expect(signer.keyId).not.toBe(other.keyId);
  });

  it('is kept beside the embedded database when none is configured, so a restart still verifies', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ringfence-audit-key-'));
    try {
      const first = await resolveAuditSigner(loadConfig({ RINGFENCE_DATA_DIR: dataDir }));
      const second = await resolveAuditSigner(loadConfig({ RINGFENCE_DATA_DIR: dataDir }));
      expect(second.keyId).toBe(first.keyId);
      expect((await stat(join(dataDir, 'audit-key'))).mode & 0o777).toBe(0o600);
      const configured = await resolveAuditSigner(loadConfig({ RINGFENCE_DATA_DIR: dataDir, RINGFENCE_AUDIT_KEY: generateAuditKey() }));
      expect(configured.keyId).not.toBe(first.keyId);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
