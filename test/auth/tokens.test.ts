import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapPlatformAdmin } from '../../src/auth/bootstrap.ts';
import { hashApiToken } from '../../src/auth/tokens.ts';
import { apiAs, startTestApp, type TestApp } from '../support/app.ts';
import { createOrganisation, type TestOrganisation } from '../support/factories.ts';

describe('users and API tokens', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let neighbour: TestOrganisation;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp, 'Council');
    neighbour = await createOrganisation(testApp, 'Neighbour');
  });
  afterAll(() => testApp?.close());

  it('made the bootstrap administrator from RINGFENCE_ADMIN_TOKEN, once', async () => {
    const me = await apiAs(testApp.app, testApp.adminToken).get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.isPlatformAdmin).toBe(true);
    const again = await bootstrapPlatformAdmin(testApp.database.handle.db, 'another-token-of-at-least-32-characters!!');
    expect(again).toMatchObject({ created: false, generatedToken: null });
  });

  it('stores only a hash of each token, and shows the token only when issued', async () => {
    const issued = await council.as.finance.post(`/api/v1/users/${council.userIds.finance}/tokens`, { name: 'script' });
    expect(issued.status).toBe(201);
    expect(issued.body.token).toMatch(/^rf_[A-Za-z0-9_-]{43}$/);
    const rows = await testApp.database.handle.db.selectFrom('api_tokens').select('token_hash').execute();
    expect(rows.map((r) => r.token_hash)).toContain(hashApiToken(issued.body.token));
    expect(JSON.stringify(rows)).not.toContain(issued.body.token);
    const listed = await council.as.finance.get(`/api/v1/users/${council.userIds.finance}/tokens`);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);
    expect(listed.body.items.map((t: { name: string }) => t.name)).toContain('script');
  });

  it('refuses a revoked or expired token', async () => {
    const issued = await council.as.finance.post(`/api/v1/users/${council.userIds.finance}/tokens`, { name: 'short-lived' });
    const client = apiAs(testApp.app, issued.body.token);
    expect((await client.get('/api/v1/me')).status).toBe(200);
    const revoked = await council.as.admin.post(`/api/v1/users/${council.userIds.finance}/tokens/${issued.body.id}/revoke`);
    expect(revoked.status).toBe(204);
    expect((await client.get('/api/v1/me')).status).toBe(401);

    const expiring = await council.as.finance.post(`/api/v1/users/${council.userIds.finance}/tokens`, { name: 'expiring', expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect(expiring.status).toBe(201);
    await testApp.database.handle.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', expiring.body.id)
      .execute();
    expect((await apiAs(testApp.app, expiring.body.token).get('/api/v1/me')).status).toBe(401);
    const past = await council.as.finance.post(`/api/v1/users/${council.userIds.finance}/tokens`, { name: 'past', expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.errors[0].path).toBe('expiresAt');
  });

  it('adds an existing user to a second organisation by email, keeping one identity', async () => {
    const email = `finance.${council.code.toLowerCase()}@example.gov.uk`;
    const added = await neighbour.as.admin.post(`/api/v1/organisations/${neighbour.id}/users`, { email: email.toUpperCase(), name: 'Shared officer', role: 'reader' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: council.userIds.finance, email, role: 'reader' });
    const memberships = await testApp.database.handle.db.selectFrom('memberships').select('organisation_id').where('user_id', '=', council.userIds.finance).execute();
    expect(memberships).toHaveLength(2);
    // The officer's token acts in the council it was issued for, and shows that one only.
    const me = await council.as.finance.get('/api/v1/me');
    expect(me.body.memberships).toEqual([{ organisationId: council.id, role: 'finance' }]);
  });

  it("lets one council's admin issue tokens for a shared user only in that council", async () => {
    // The finance officer now belongs to both councils; a token acts in the one it names.
    const unscoped = await neighbour.as.admin.post(`/api/v1/users/${council.userIds.finance}/tokens`, { name: 'sneaky' });
    expect(unscoped.status).toBe(400);
    expect((await neighbour.as.admin.post(`/api/v1/users/${council.userIds.finance}/tokens`, { name: 'sneaky', organisationId: council.id })).status).toBe(404);
    const scoped = await neighbour.as.admin.post(`/api/v1/users/${council.userIds.finance}/tokens`, { name: 'neighbour only', organisationId: neighbour.id });
    expect(scoped.status).toBe(201);
    expect((await apiAs(testApp.app, scoped.body.token).get(`/api/v1/organisations/${council.id}`)).status).toBe(404);
    const ownAdmin = await council.as.admin.post(`/api/v1/users/${council.userIds.reader}/tokens`, { name: 'for reader', organisationId: council.id });
    expect(ownAdmin.status).toBe(201);
    const platformTarget = await council.as.admin.get(`/api/v1/users/${(await apiAs(testApp.app, testApp.adminToken).get('/api/v1/me')).body.id}/tokens`);
    expect(platformTarget.status).toBe(404);
  });

  it('validates new members', async () => {
    const bad = await council.as.admin.post(`/api/v1/organisations/${council.id}/users`, { email: 'not-an-email', name: '', role: 'owner' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'name', 'role']);
  });

  it('refuses a duplicate organisation code with 409', async () => {
    const admin = apiAs(testApp.app, testApp.adminToken);
    const duplicate = await admin.post('/api/v1/organisations', { name: 'Copy', code: council.code });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.type).toMatch(/\/problems\/conflict$/);
    const badCode = await admin.post('/api/v1/organisations', { name: 'Bad', code: 'XYZ' });
    expect(badCode.status).toBe(400);
  });
});
