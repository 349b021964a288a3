import { createPublicKey, verify } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, hashRecord } from '../../src/audit/chain.ts';
import { createAuditSigner, generateAuditKey, parseAuditKey } from '../../src/audit/signing.ts';
import { countOwnedTables } from '../../src/db/roles.ts';
import type { Database } from '../../src/db/tables.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { settableClock } from '../support/clock.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

/**
 * The audit trail against its own database's owner. The app connects as a role that owns
 * nothing; the tables' owner (here the test server's superuser) can still disable the triggers
 * and rewrite history perfectly, but cannot sign the rewritten head.
 */
describe('an audit trail its database owner cannot forge', () => {
  const clock = settableClock('2025-09-01T09:00:00Z');
  let testApp: TestApp;
  /** The tables' owner: a superuser, as a migration's role may be. */
  let owner: Kysely<Database>;
  /** The app's own connection, as the role that owns nothing. */
  let appDb: Kysely<Database>;

  beforeAll(async () => {
    testApp = await startTestApp({ appRole: true, clock, auditKey: generateAuditKey() });
    owner = testApp.database.handle.db;
    appDb = testApp.app.db;
  });
  afterAll(() => testApp?.close());

  async function councilWithHistory(name: string): Promise<TestOrganisation & { lineId: string }> {
    const council = await createOrganisation(testApp, name);
    const grantId = (await createGrant(council)).id;
    const line = await createLine(council.as.finance, grantId, { title: 'Family hubs', category: 'family_voice', amount: '100.00' });
    await council.as.finance.post(`/api/v1/commitments/${line.id}/spend`, { amount: '20.00', spentOn: '2025-08-01' });
    return { ...council, lineId: line.id };
  }

  const verifyOf = async (council: TestOrganisation) => (await council.as.reader.get(`/api/v1/organisations/${council.id}/audit/verify`)).body;
  const checkpointNow = async (council: TestOrganisation) => {
    const response = await council.as.admin.post(`/api/v1/organisations/${council.id}/audit/checkpoints`);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body as { id: string; seq: string; hash: string; signedAt: string; publicKey: string; signature: string };
  };

  /** As the owner: triggers off, the work, triggers on. */
  async function behindTheTriggers(work: () => Promise<unknown>): Promise<void> {
    await sql`ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only`.execute(owner);
    try {
      await work();
    } finally {
      await sql`ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only`.execute(owner);
    }
  }

  /** Recomputes every hash from `fromSeq` on, as a careful forger would, and resets the head to the last. */
  async function rehashFrom(chainId: string, fromSeq: string): Promise<void> {
    const rows = await owner.selectFrom('audit_records').selectAll().where('chain_id', '=', chainId).where('seq', '>=', fromSeq).orderBy('seq').execute();
    let prevHash = (
      await owner.selectFrom('audit_records').select('hash').where('chain_id', '=', chainId).where('seq', '<', fromSeq).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow()
    ).hash;
    for (const row of rows) {
      const hash = hashRecord({
        chainId,
        seq: String(row.seq),
        organisationId: row.organisation_id,
        at: row.at.toISOString(),
        actorId: row.actor_id,
        action: row.action,
        entity: row.entity,
        entityId: row.entity_id,
        before: row.before,
        after: row.after,
        requestId: row.request_id,
        prevHash,
      });
      await sql`UPDATE audit_records SET prev_hash = ${prevHash}, hash = ${hash} WHERE chain_id = ${chainId} AND seq = ${row.seq}`.execute(owner);
      prevHash = hash;
    }
    const last = rows[rows.length - 1]!;
    await sql`UPDATE audit_chain_heads SET seq = ${last.seq}, hash = ${prevHash} WHERE chain_id = ${chainId}`.execute(owner);
  }

  it('connects the app as a role that owns no table and cannot disable a trigger or change history', async () => {
    const council = await councilWithHistory('Role Council');
    expect(await countOwnedTables(appDb)).toBe(0);
    expect(await countOwnedTables(owner)).toBeGreaterThan(10);
    await expect(sql`ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only`.execute(appDb)).rejects.toThrow(/must be owner/);
    await expect(sql`ALTER TABLE audit_records DISABLE TRIGGER ALL`.execute(appDb)).rejects.toThrow(/must be owner/);
    await expect(sql`ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only`.execute(appDb)).rejects.toThrow(/must be owner/);
    for (const table of ['audit_records', 'audit_checkpoints']) {
      await expect(sql`UPDATE ${sql.table(table)} SET hash = 'x' WHERE chain_id = ${council.id}`.execute(appDb)).rejects.toThrow(/permission denied/);
      await expect(sql`DELETE FROM ${sql.table(table)} WHERE chain_id = ${council.id}`.execute(appDb)).rejects.toThrow(/permission denied/);
      await expect(sql`TRUNCATE ${sql.table(table)}`.execute(appDb)).rejects.toThrow(/permission denied/);
    }
    await expect(sql`SET session_replication_role = replica`.execute(appDb)).rejects.toThrow(/permission denied/);
    // The app itself wrote everything above through this role, and its chain is whole.
    expect(await verifyOf(council)).toMatchObject({ ok: true, checkpoints: { checked: 1 } });
  });

  it("signs a checkpoint on the first write of each day, by the app's clock, and on demand", async () => {
    const council = await councilWithHistory('Daily Council');
    const daily = () => owner.selectFrom('audit_checkpoints').select(['seq', 'signed_at']).where('chain_id', '=', council.id).where('reason', '=', 'daily').orderBy('id').execute();
    expect(await daily()).toHaveLength(1);
    clock.set('2025-09-02T08:30:00Z');
    await council.as.programme_lead.patch(`/api/v1/commitments/${council.lineId}`, { notes: 'Second day' });
    await council.as.programme_lead.patch(`/api/v1/commitments/${council.lineId}`, { notes: 'Second day, again' });
    const days = await daily();
    expect(days.map((row) => row.signed_at.toISOString())).toEqual([expect.stringMatching(/^2025-09-01T/), '2025-09-02T08:30:00.000Z']);
    const head = await owner.selectFrom('audit_chain_heads').select('seq').where('chain_id', '=', council.id).executeTakeFirstOrThrow();
    expect(BigInt(days[1]!.seq)).toBe(BigInt(head.seq) - 1n);

    // On demand: the answer verifies with nothing but the public key it carries.
    const checkpoint = await checkpointNow(council);
    expect(checkpoint.seq).toBe(String(head.seq));
    const signed = Buffer.from(canonicalJson({ chainId: council.id, seq: checkpoint.seq, hash: checkpoint.hash, signedAt: checkpoint.signedAt })!, 'utf8');
    const publicKey = createPublicKey({ key: Buffer.from(checkpoint.publicKey, 'base64'), format: 'der', type: 'spki' });
    expect(verify(null, signed, publicKey, Buffer.from(checkpoint.signature, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(signed.toString().replace(checkpoint.hash, '0'.repeat(64))), publicKey, Buffer.from(checkpoint.signature, 'base64'))).toBe(false);
    expect(await verifyOf(council)).toMatchObject({ ok: true, checkpoints: { checked: 3, otherKeys: 0 } });
    clock.set('2025-09-01T09:00:00Z');
  });

  it('catches a perfect rewrite (every later hash recomputed, the head reset) at the first checkpoint it no longer reaches', async () => {
    const council = await councilWithHistory('Rewritten Council');
    const first = await checkpointNow(council);
    await council.as.finance.post(`/api/v1/commitments/${council.lineId}/spend`, { amount: '30.00', spentOn: '2025-08-02' });
    const second = await checkpointNow(council);
    const spend = await owner.selectFrom('audit_records').select('seq').where('chain_id', '=', council.id).where('entity', '=', 'spend').orderBy('seq').executeTakeFirstOrThrow();
    expect(BigInt(spend.seq)).toBeLessThanOrEqual(BigInt(first.seq));

    await behindTheTriggers(async () => {
      await sql`UPDATE audit_records SET after = jsonb_set(after, '{amount}', '"2.00"') WHERE chain_id = ${council.id} AND seq = ${spend.seq}`.execute(owner);
      await rehashFrom(council.id, String(spend.seq));
    });

    const verdict = await verifyOf(council);
    // The records alone now look whole: only the signatures tell.
    expect(verdict.firstBadRecord).toBeUndefined();
    expect(verdict).toMatchObject({ ok: false, checkpoints: { firstUnreachable: { id: first.id, seq: first.seq, reason: 'the chain no longer reaches it' } } });
    expect(BigInt(second.seq)).toBeGreaterThan(BigInt(first.seq));
  });

  it('catches the newest records deleted and the head reset', async () => {
    const council = await councilWithHistory('Truncated Council');
    const kept = await checkpointNow(council);
    await council.as.finance.post(`/api/v1/commitments/${council.lineId}/spend`, { amount: '5.00', spentOn: '2025-08-03' });
    const lost = await checkpointNow(council);
    await behindTheTriggers(async () => {
      await sql`DELETE FROM audit_records WHERE chain_id = ${council.id} AND seq > ${kept.seq}`.execute(owner);
      await sql`UPDATE audit_chain_heads SET seq = ${kept.seq}, hash = ${kept.hash} WHERE chain_id = ${council.id}`.execute(owner);
    });
    const verdict = await verifyOf(council);
    expect(verdict.firstBadRecord).toBeUndefined();
    expect(verdict).toMatchObject({ ok: false, checkpoints: { firstUnreachable: { id: lost.id, seq: lost.seq } } });
  });

  it('refuses a checkpoint the owner signs with a key of their own under the real key id, and sets aside other keys', async () => {
    const council = await councilWithHistory('Checkpointed Council');
    const real = testApp.app.auditSigner;
    const forger = createAuditSigner(parseAuditKey(generateAuditKey()));
    const head = await owner.selectFrom('audit_chain_heads').select(['seq', 'hash']).where('chain_id', '=', council.id).executeTakeFirstOrThrow();
    const signedAt = '2025-09-01T10:00:00.000Z';
    const forged = forger.sign({ chainId: council.id, seq: String(head.seq), hash: head.hash, signedAt });
    const insert = (keyId: string, publicKey: string) =>
      sql`INSERT INTO audit_checkpoints (chain_id, organisation_id, seq, hash, signed_at, reason, key_id, public_key, signature)
          VALUES (${council.id}, ${council.id}, ${head.seq}, ${head.hash}, ${signedAt}, 'on-demand', ${keyId}, ${publicKey}, ${forged})`.execute(owner);
    await insert(forger.keyId, forger.publicKey);
    expect(await verifyOf(council)).toMatchObject({ ok: true, checkpoints: { checked: 1, otherKeys: 1 } });
    await insert(real.keyId, real.publicKey);
    expect(await verifyOf(council)).toMatchObject({ ok: false, checkpoints: { checked: 2, firstUnreachable: { seq: String(head.seq), reason: 'its signature does not verify' } } });
  });
});
