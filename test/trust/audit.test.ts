import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayInLondon } from '../../src/shared/calendar.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

/** Invariant 4: every change is attributable — who, when, what before, what after. */
describe('the audit trail', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;
  let line: { id: string };

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp);
    grantId = (await createGrant(council)).id;
    line = await createLine(council.as.finance, grantId, { title: 'Line 7', category: 'family_voice', amount: '100.00' });
    await council.as.programme_lead.patch(`/api/v1/commitments/${line.id}`, { amount: '120.00', notes: 'Revised by cabinet' });
    await council.as.finance.post(`/api/v1/commitments/${line.id}/spend`, { amount: '20.00', spentOn: '2025-08-01' });
  });
  afterAll(() => testApp?.close());

  it("answers 'every change to this line, by whom' with before and after of the changed fields", async () => {
    const trail = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?entity=commitment&entityId=${line.id}`);
    expect(trail.status).toBe(200);
    expect(trail.body.items).toHaveLength(2);
    const [created, amended] = trail.body.items;
    expect(created).toMatchObject({ action: 'create', actor: council.userIds.finance, before: null, after: expect.objectContaining({ amount: '100.00', title: 'Line 7' }) });
    expect(amended).toMatchObject({
      action: 'update',
      actor: council.userIds.programme_lead,
      before: { amount: '100.00', notes: null },
      after: { amount: '120.00', notes: 'Revised by cabinet' },
    });
    expect(Date.parse(amended.at)).toBeGreaterThanOrEqual(Date.parse(created.at));
    const byActor = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?actor=${council.userIds.programme_lead}`);
    expect(byActor.body.items.map((r: { action: string }) => r.action)).toEqual(['update']);
    const today = todayInLondon(new Date());
    const inRange = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?entity=commitment&from=${today}&to=${today}`);
    expect(inRange.body.items).toHaveLength(2);
    const before = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?to=2000-01-01`);
    expect(before.body.items).toHaveLength(0);
  });

  it('records grants, tranches, spend, members and tokens too', async () => {
    const trail = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?limit=1000`);
    const entities = new Set(trail.body.items.map((r: { entity: string }) => r.entity));
    for (const entity of ['organisation', 'membership', 'api-token', 'grant', 'tranche', 'commitment', 'spend']) expect(entities).toContain(entity);
    expect(JSON.stringify(trail.body)).not.toMatch(/rf_[A-Za-z0-9_-]{20,}/);
    expect(JSON.stringify(trail.body)).not.toContain('@example.gov.uk');
  });

  it('verifies the chain while untouched', async () => {
    const verify = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit/verify`);
    expect(verify.body).toMatchObject({ ok: true });
    expect(verify.body.records).toBeGreaterThan(8);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on audit records', async () => {
    const db = testApp.database.handle.db;
    await expect(sql`UPDATE audit_records SET action = 'x'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_records`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_records`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('catches a record altered behind the triggers, naming the first bad record', async () => {
    const db = testApp.database.handle.db;
    const target = await db.selectFrom('audit_records').select('seq').where('chain_id', '=', council.id).where('entity', '=', 'spend').executeTakeFirstOrThrow();
    // Someone with superuser rights edits history directly.
    await sql`ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only`.execute(db);
    await sql`UPDATE audit_records SET after = jsonb_set(after, '{amount}', '"2.00"') WHERE chain_id = ${council.id} AND seq = ${target.seq}`.execute(db);
    await sql`ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only`.execute(db);
    const verify = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit/verify`);
    expect(verify.body).toMatchObject({ ok: false, firstBadRecord: String(target.seq) });
  });

  it('catches a record removed from the middle or the end of a chain', async () => {
    const other = await createOrganisation(testApp, 'Second');
    const db = testApp.database.handle.db;
    await sql`ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only`.execute(db);
    await sql`DELETE FROM audit_records WHERE chain_id = ${other.id} AND seq = 2`.execute(db);
    await sql`ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only`.execute(db);
    expect((await other.as.reader.get(`/api/v1/organisations/${other.id}/audit/verify`)).body).toMatchObject({ ok: false, firstBadRecord: '2' });

    const third = await createOrganisation(testApp, 'Third');
    const last = await db
      .selectFrom('audit_records')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('chain_id', '=', third.id)
      .executeTakeFirstOrThrow();
    await sql`ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only`.execute(db);
    await sql`DELETE FROM audit_records WHERE chain_id = ${third.id} AND seq = ${last.seq}`.execute(db);
    await sql`ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only`.execute(db);
    expect((await third.as.reader.get(`/api/v1/organisations/${third.id}/audit/verify`)).body).toMatchObject({ ok: false, firstBadRecord: String(last.seq) });
  });

  it('keeps one chain per organisation, each verifiable alone', async () => {
    const fresh = await createOrganisation(testApp, 'Fresh');
    const verify = await fresh.as.reader.get(`/api/v1/organisations/${fresh.id}/audit/verify`);
    expect(verify.body.ok).toBe(true);
    const trail = await fresh.as.reader.get(`/api/v1/organisations/${fresh.id}/audit`);
    expect(trail.body.items.every((r: { entity: string }) => r.entity !== 'commitment')).toBe(true);
  });
});
