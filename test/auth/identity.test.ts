import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, startTestApp, type Api, type TestApp } from '../support/app.ts';
import { settableClock } from '../support/clock.ts';
import { createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { FormClient } from '../web/support/forms.ts';
import { withPassword } from '../web/support/web-app.ts';

/** One council can never act in another: the takeover of issue 13 and the rules that close it. */
describe('identity across councils', () => {
  const clock = settableClock('2025-09-01T09:00:00Z');
  let testApp: TestApp;
  let platform: Api;
  let councilA: TestOrganisation;
  let councilB: TestOrganisation;

  beforeAll(async () => {
    testApp = await startTestApp({ clock });
    platform = apiAs(testApp.app, testApp.adminToken);
    councilA = await createOrganisation(testApp, 'Council A');
    councilB = await createOrganisation(testApp, 'Council B');
    const setA = await platform.patch(`/api/v1/organisations/${councilA.id}`, { emailDomains: ['example.gov.uk', 'CouncilA.gov.uk'] });
    expect(setA.status, JSON.stringify(setA.body)).toBe(200);
    expect(setA.body.emailDomains).toEqual(['example.gov.uk', 'councila.gov.uk']);
    expect((await platform.patch(`/api/v1/organisations/${councilB.id}`, { emailDomains: ['example.gov.uk', 'councilb.gov.uk'] })).status).toBe(200);
  });
  afterAll(() => testApp?.close());

  it("refuses A's admin a person outside A's email domains, and lets a platform administrator add anyone", async () => {
    const refused = await councilA.as.admin.post(`/api/v1/organisations/${councilA.id}/users`, { email: 'someone@councilb.gov.uk', name: 'Someone', role: 'reader' });
    expect(refused.status).toBe(422);
    expect(refused.body.type).toMatch(/\/problems\/email-domain$/);
    expect(refused.body.emailDomains).toEqual(['example.gov.uk', 'councila.gov.uk']);
    const members = await councilA.as.admin.get(`/api/v1/organisations/${councilA.id}/users`);
    expect(members.body.items.map((m: { email: string }) => m.email)).not.toContain('someone@councilb.gov.uk');

    // A subdomain or a look-alike is not the domain.
    for (const email of ['x@evil.councila.gov.uk', 'x@councila.gov.uk.evil.example']) {
      expect((await councilA.as.admin.post(`/api/v1/organisations/${councilA.id}/users`, { email, name: 'X', role: 'reader' })).status).toBe(422);
    }
    expect((await councilA.as.admin.post(`/api/v1/organisations/${councilA.id}/users`, { email: 'new.starter@councila.gov.uk', name: 'New', role: 'reader' })).status).toBe(201);
    expect((await platform.post(`/api/v1/organisations/${councilA.id}/users`, { email: 'auditor@elsewhere.example', name: 'Auditor', role: 'reader' })).status).toBe(201);
  });

  it('renames an organisation and sets its domains only for platform administrators, and checks them', async () => {
    expect((await councilA.as.admin.patch(`/api/v1/organisations/${councilA.id}`, { emailDomains: ['councilb.gov.uk'] })).status).toBe(403);
    const renamed = await platform.patch(`/api/v1/organisations/${councilA.id}`, { name: 'Council A (renamed)' });
    expect(renamed.body).toMatchObject({ name: 'Council A (renamed)', emailDomains: ['example.gov.uk', 'councila.gov.uk'] });
    const bad = await platform.patch(`/api/v1/organisations/${councilA.id}`, { emailDomains: ['not a domain'] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toMatch(/^emailDomains/);
    const created = await platform.post('/api/v1/organisations', { name: 'Council C', code: 'E09000777', emailDomains: ['councilc.gov.uk'] });
    expect(created.status).toBe(201);
    expect(created.body.emailDomains).toEqual(['councilc.gov.uk']);
  });

  it('reveals nothing of an existing user to an admin who adds them', async () => {
    // Known to the platform under a name A's admin does not know.
    expect((await platform.post(`/api/v1/organisations/${councilB.id}/users`, { email: 'known@example.gov.uk', name: 'Private Name', role: 'finance' })).status).toBe(201);
    const existing = await councilA.as.admin.post(`/api/v1/organisations/${councilA.id}/users`, { email: 'known@example.gov.uk', name: 'Guessed Name', role: 'reader' });
    const fresh = await councilA.as.admin.post(`/api/v1/organisations/${councilA.id}/users`, { email: 'unknown@example.gov.uk', name: 'Guessed Name', role: 'reader' });
    expect(existing.status).toBe(fresh.status);
    expect(Object.keys(existing.body).sort()).toEqual(Object.keys(fresh.body).sort());
    expect(existing.body).toEqual({ id: existing.body.id, email: 'known@example.gov.uk', name: 'Guessed Name', role: 'reader' });
    expect(fresh.body).toEqual({ id: fresh.body.id, email: 'unknown@example.gov.uk', name: 'Guessed Name', role: 'reader' });
    expect(JSON.stringify(existing.body)).not.toContain('Private Name');
  });

  describe('a person who belongs to both councils', () => {
    let sharedId: string;
    let tokenForA: { id: string; token: string };

    beforeAll(async () => {
      const added = await councilB.as.admin.post(`/api/v1/organisations/${councilB.id}/users`, { email: 'officer@councilb.gov.uk', name: 'Officer', role: 'admin' });
      sharedId = added.body.id;
      expect((await platform.post(`/api/v1/organisations/${councilA.id}/users`, { email: 'officer@councilb.gov.uk', name: 'Officer', role: 'reader' })).status).toBe(201);
      const issued = await councilA.as.admin.post(`/api/v1/users/${sharedId}/tokens`, { name: 'from A', organisationId: councilA.id });
      expect(issued.status, JSON.stringify(issued.body)).toBe(201);
      expect(issued.body.organisationId).toBe(councilA.id);
      tokenForA = issued.body;
    });

    it("lets A's admin issue a token only for A, and only naming it", async () => {
      const unnamed = await councilA.as.admin.post(`/api/v1/users/${sharedId}/tokens`, { name: 'no scope' });
      expect(unnamed.status).toBe(400);
      expect(unnamed.body.errors[0].path).toBe('organisationId');
      expect((await councilA.as.admin.post(`/api/v1/users/${sharedId}/tokens`, { name: 'for B', organisationId: councilB.id })).status).toBe(404);
    });

    it("gives A's token no reach into B: B's records are unknown and lists show A only", async () => {
      const fromA = apiAs(testApp.app, tokenForA.token);
      expect((await fromA.get(`/api/v1/organisations/${councilA.id}`)).status).toBe(200);
      expect((await fromA.get(`/api/v1/organisations/${councilB.id}`)).status).toBe(404);
      expect((await fromA.get(`/api/v1/organisations/${councilB.id}/grants`)).status).toBe(404);
      expect((await fromA.get(`/api/v1/organisations/${councilB.id}/users`)).status).toBe(404);
      expect((await fromA.get('/api/v1/organisations')).body.items.map((o: { id: string }) => o.id)).toEqual([councilA.id]);
      expect((await fromA.get('/api/v1/me')).body.memberships).toEqual([{ organisationId: councilA.id, role: 'reader' }]);
      // Nor can it mint a token for B.
      expect((await fromA.post(`/api/v1/users/${sharedId}/tokens`, { name: 'escalate', organisationId: councilB.id })).status).toBe(404);
    });

    it("lets B's admin see and revoke every B-scoped token of the person, and nothing of A's", async () => {
      const forB = await platform.post(`/api/v1/users/${sharedId}/tokens`, { name: 'for B', organisationId: councilB.id });
      expect(forB.status).toBe(201);
      const listed = await councilB.as.admin.get(`/api/v1/users/${sharedId}/tokens`);
      expect(listed.body.items.map((t: { id: string }) => t.id)).toEqual([forB.body.id]);
      expect((await councilB.as.admin.post(`/api/v1/users/${sharedId}/tokens/${tokenForA.id}/revoke`)).status).toBe(404);
      expect((await apiAs(testApp.app, tokenForA.token).get('/api/v1/me')).status).toBe(200);
      expect((await councilB.as.admin.post(`/api/v1/users/${sharedId}/tokens/${forB.body.id}/revoke`)).status).toBe(204);
      expect((await apiAs(testApp.app, forB.body.token).get('/api/v1/me')).status).toBe(401);
    });

    it("does not let A's admin set anyone's password, nor hand out a link for someone who is B's too", async () => {
      const page = new FormClient(testApp.app);
      expect((await page.signIn(await withPassword(testApp, councilA, 'admin'))).statusCode).toBe(303);
      for (const userId of [sharedId, councilA.userIds.reader]) {
        const memberPage = `/organisations/${councilA.id}/admin/members/${userId}`;
        expect((await page.post(`${memberPage}/password`, {}, { from: memberPage })).statusCode).toBe(403);
      }
      const sharedPage = `/organisations/${councilA.id}/admin/members/${sharedId}`;
      expect((await page.post(`${sharedPage}/password-link`, {}, { from: sharedPage })).statusCode).toBe(403);
      const stored = await testApp.database.handle.db.selectFrom('users').select('password_hash').where('id', 'in', [sharedId, councilA.userIds.reader]).execute();
      expect(stored.map((row) => row.password_hash)).toEqual([null, null]);
    });
  });

  it('removes a membership: audited, and the tokens scoped to that council revoked', async () => {
    const added = await councilA.as.admin.post(`/api/v1/organisations/${councilA.id}/users`, { email: 'leaver@councila.gov.uk', name: 'Leaver', role: 'finance' });
    const token = await councilA.as.admin.post(`/api/v1/users/${added.body.id}/tokens`, { name: 'script', organisationId: councilA.id });
    expect((await apiAs(testApp.app, token.body.token).get(`/api/v1/organisations/${councilA.id}`)).status).toBe(200);

    expect((await councilB.as.admin.delete(`/api/v1/organisations/${councilA.id}/users/${added.body.id}`)).status).toBe(404);
    expect((await councilA.as.finance.delete(`/api/v1/organisations/${councilA.id}/users/${added.body.id}`)).status).toBe(403);
    expect((await councilA.as.admin.delete(`/api/v1/organisations/${councilA.id}/users/${added.body.id}`)).status).toBe(204);
    expect((await apiAs(testApp.app, token.body.token).get('/api/v1/me')).status).toBe(401);
    const members = await councilA.as.admin.get(`/api/v1/organisations/${councilA.id}/users`);
    expect(members.body.items.map((m: { id: string }) => m.id)).not.toContain(added.body.id);
    expect((await councilA.as.admin.delete(`/api/v1/organisations/${councilA.id}/users/${added.body.id}`)).status).toBe(404);

    const trail = await councilA.as.reader.get(`/api/v1/organisations/${councilA.id}/audit?entity=membership&entityId=${added.body.id}`);
    expect(trail.body.items.map((r: { action: string }) => r.action)).toEqual(['create', 'delete']);
    const revoked = await councilA.as.reader.get(`/api/v1/organisations/${councilA.id}/audit?entity=api-token&entityId=${token.body.id}`);
    expect(revoked.body.items.map((r: { action: string }) => r.action)).toEqual(['issue', 'revoke']);
    expect((await councilA.as.reader.get(`/api/v1/organisations/${councilA.id}/audit/verify`)).body.ok).toBe(true);
  });

  describe('set-password links', () => {
    let admin: FormClient;

    beforeAll(async () => {
      admin = new FormClient(testApp.app);
      expect((await admin.signIn(await withPassword(testApp, councilB, 'admin'))).statusCode).toBe(303);
    });

    async function linkFor(email: string): Promise<{ userId: string; path: string }> {
      const added = await councilB.as.admin.post(`/api/v1/organisations/${councilB.id}/users`, { email, name: 'Starter', role: 'reader' });
      const memberPage = `/organisations/${councilB.id}/admin/members/${added.body.id}`;
      const shown = await admin.post(`${memberPage}/password-link`, {}, { from: memberPage });
      expect(shown.statusCode, shown.body.slice(0, 300)).toBe(200);
      const url = /data-testid="password-link">([^<]+)</.exec(shown.body)![1]!;
      return { userId: added.body.id, path: new URL(url).pathname };
    }

    it('lets the new member choose a password once, storing only a hash of the link', async () => {
      const { userId, path } = await linkFor('starter@councilb.gov.uk');
      const secret = path.split('/').pop()!;
      const rows = await testApp.database.handle.db.selectFrom('password_links').select('token_hash').where('user_id', '=', userId).execute();
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(secret);

      const person = new FormClient(testApp.app);
      expect((await person.get(path)).statusCode).toBe(200);
      const mismatch = await person.post(path, { newPassword: 'a long enough password', confirmPassword: 'something else' });
      expect(mismatch.statusCode).toBe(400);
      const chosen = await person.post(path, { newPassword: 'a long enough password', confirmPassword: 'a long enough password' });
      expect(chosen.statusCode).toBe(303);
      expect((await person.signIn({ email: 'starter@councilb.gov.uk', password: 'a long enough password' })).statusCode).toBe(303);

      const again = new FormClient(testApp.app);
      expect((await again.get(path)).statusCode).toBe(404);
      const token = await again.token('/sign-in');
      const reuse = await testApp.app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: again.cookie },
        payload: new URLSearchParams({ _csrf: token, newPassword: 'the attacker password', confirmPassword: 'the attacker password' }).toString(),
      });
      expect(reuse.statusCode).toBe(404);
      expect((await new FormClient(testApp.app).signIn({ email: 'starter@councilb.gov.uk', password: 'the attacker password' })).statusCode).toBe(401);

      // Once they have a password, their admin cannot make another link to take the account.
      const memberPage = `/organisations/${councilB.id}/admin/members/${userId}`;
      expect((await admin.post(`${memberPage}/password-link`, {}, { from: memberPage })).statusCode).toBe(422);
    });

    it('expires after 72 hours by the app clock', async () => {
      const { path } = await linkFor('late.starter@councilb.gov.uk');
      const person = new FormClient(testApp.app);
      clock.set('2025-09-04T08:59:00Z');
      expect((await person.get(path)).statusCode).toBe(200);
      clock.set('2025-09-04T09:01:00Z');
      expect((await person.get(path)).statusCode).toBe(404);
      clock.set('2025-09-01T09:00:00Z');
    });
  });
});
