import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

describe('Idempotency-Key', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let neighbour: TestOrganisation;
  let grantId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp);
    neighbour = await createOrganisation(testApp, 'Neighbour');
    grantId = (await createGrant(council, [{ amount: '100000.00', description: 'Grant', status: 'confirmed' }])).id;
  });
  afterAll(() => testApp?.close());

  const countLines = async (title: string) =>
    Number(
      (
        await testApp.database.handle.db
          .selectFrom('commitments')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('title', '=', title)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('replays the first response for the same key and body, writing nothing more', async () => {
    const body = { title: 'Replayed line', category: 'family_voice', amount: '100.00' };
    const first = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, body, { 'idempotency-key': 'key-replay-1' });
    expect(first.status).toBe(201);
    const again = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, body, { 'idempotency-key': 'key-replay-1' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await countLines('Replayed line')).toBe(1);
    const auditRecords = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?entity=commitment&entityId=${first.body.id}`);
    expect(auditRecords.body.items).toHaveLength(1);
  });

  it('refuses the same key with another body with 422 idempotency-conflict', async () => {
    await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, { title: 'A', category: 'family_voice', amount: '1.00' }, { 'idempotency-key': 'key-conflict' });
    const other = await council.as.finance.post(
      `/api/v1/grants/${grantId}/commitments`,
      { title: 'B', category: 'family_voice', amount: '1.00' },
      { 'idempotency-key': 'key-conflict' },
    );
    expect(other.status).toBe(422);
    expect(other.body.type).toMatch(/\/problems\/idempotency-conflict$/);
    expect(await countLines('B')).toBe(0);
  });

  it('creates one row from 20 parallel identical requests with one key', async () => {
    const body = { title: 'Parallel twin', category: 'family_help_delivery', amount: '10.00' };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, body, { 'idempotency-key': 'key-parallel' })),
    );
    const statuses = responses.map((r) => r.status);
    expect(
      statuses.every((s) => s === 201 || s === 409),
      statuses.join(','),
    ).toBe(true);
    for (const response of responses.filter((r) => r.status === 409)) {
      expect(response.body.type).toMatch(/\/problems\/request-in-flight$/);
    }
    const created = responses.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    expect(await countLines('Parallel twin')).toBe(1);
    // Once the first has finished, every retry replays it.
    const retry = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, body, { 'idempotency-key': 'key-parallel' });
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(created[0]!.body.id);
  });

  it('stores nothing for a failed request, so the same key may be retried once it is fixed', async () => {
    const small = await createGrant(council, [{ amount: '100.00', description: 'Small', status: 'confirmed' }], '2026-27');
    const tooBig = { title: 'Retry after cap', category: 'transformation', amount: '30.01' };
    const refused = await council.as.finance.post(`/api/v1/grants/${small.id}/commitments`, tooBig, { 'idempotency-key': 'key-after-failure' });
    expect(refused.status).toBe(422);
    const invalid = await council.as.finance.post(`/api/v1/grants/${small.id}/commitments`, { ...tooBig, amount: 'x' }, { 'idempotency-key': 'key-invalid' });
    expect(invalid.status).toBe(400);
    await council.as.finance.post(`/api/v1/grants/${small.id}/tranches`, { amount: '100.00', description: 'More', status: 'confirmed' });
    const retried = await council.as.finance.post(`/api/v1/grants/${small.id}/commitments`, tooBig, { 'idempotency-key': 'key-after-failure' });
    expect(retried.status).toBe(201);
  });

  it('honours keys on spend and tranches too', async () => {
    const line = await createLine(council.as.finance, grantId, { title: 'Spend line', category: 'family_help_delivery', amount: '50.00' });
    const spend = { amount: '5.00', spentOn: '2025-06-01' };
    const a = await council.as.finance.post(`/api/v1/commitments/${line.id}/spend`, spend, { 'idempotency-key': 'spend-1' });
    const b = await council.as.finance.post(`/api/v1/commitments/${line.id}/spend`, spend, { 'idempotency-key': 'spend-1' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).toBe(a.body.id);
    expect((await council.as.reader.get(`/api/v1/commitments/${line.id}`)).body.spent).toBe('5.00');
    const tranche = { amount: '10.00', description: 'Top-up', status: 'provisional' };
    const t1 = await council.as.finance.post(`/api/v1/grants/${grantId}/tranches`, tranche, { 'idempotency-key': 'tranche-1' });
    const t2 = await council.as.finance.post(`/api/v1/grants/${grantId}/tranches`, tranche, { 'idempotency-key': 'tranche-1' });
    expect(t2.body).toEqual(t1.body);
    expect((await council.as.reader.get(`/api/v1/grants/${grantId}`)).body.allocation).toBe('100010.00');
  });

  it('scopes keys to the organisation and rejects malformed keys', async () => {
    const neighbourGrant = await createGrant(neighbour);
    const body = { title: 'Same key elsewhere', category: 'family_voice', amount: '1.00' };
    const mine = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, body, { 'idempotency-key': 'shared-key' });
    const theirs = await neighbour.as.finance.post(`/api/v1/grants/${neighbourGrant.id}/commitments`, body, { 'idempotency-key': 'shared-key' });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
    const bad = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, body, { 'idempotency-key': 'has space' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('Idempotency-Key');
  });

  it('lets a key be reused after 24 hours', async () => {
    const body = { title: 'Old key', category: 'family_voice', amount: '1.00' };
    await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, body, { 'idempotency-key': 'old-key' });
    // Keys are stored hashed with their user, so the newest key of the organisation is this one.
    const newest = await testApp.database.handle.db
      .selectFrom('idempotency_keys')
      .select('key')
      .where('organisation_id', '=', council.id)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    await testApp.database.handle.db
      .updateTable('idempotency_keys')
      .set({ created_at: new Date(Date.now() - 25 * 3600_000) })
      .where('key', '=', newest.key)
      .execute();
    const reused = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, { ...body, title: 'New use of old key' }, { 'idempotency-key': 'old-key' });
    expect(reused.status).toBe(201);
  });
});
