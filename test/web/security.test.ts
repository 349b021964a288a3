import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { LOCKOUT, SIGN_IN_RATE } from '../../src/auth/sign-in.ts';
import { createGrant, type TestOrganisation } from '../support/factories.ts';
import { launchBrowser } from './support/browser.ts';
import { FormClient } from './support/forms.ts';
import { organisationWithPeople, type Person, startWebApp, type WebTestApp } from './support/web-app.ts';
import type { Role } from '../../src/db/tables.ts';

describe('web sign-in, sessions and page security', () => {
  let web: WebTestApp;
  let own: { organisation: TestOrganisation; people: Record<Role, Person> };
  let other: { organisation: TestOrganisation; people: Record<Role, Person> };
  let grantId: string;

  beforeAll(async () => {
    web = await startWebApp();
    own = await organisationWithPeople(web, 'Own Council');
    other = await organisationWithPeople(web, 'Other Council');
    grantId = (await createGrant(own.organisation)).id;
  });
  afterAll(() => web?.close());

  it('refuses a form post without its CSRF token (403), and writes nothing', async () => {
    const client = new FormClient(web.app);
    expect((await client.signIn(own.people.finance)).statusCode).toBe(303);
    const refused = await client.post(`/grants/${grantId}/commitments/new`, { title: 'Forged', category: 'family_voice', amount: '10' }, { withToken: false });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('This form could not be accepted');
    const forged = await client.post(
      `/grants/${grantId}/commitments/new`,
      { title: 'Forged', category: 'family_voice', amount: '10', _csrf: 'not-the-token' },
      { withToken: false },
    );
    expect(forged.statusCode).toBe(403);
    const lines = await own.organisation.as.reader.get(`/api/v1/grants/${grantId}/commitments`);
    expect(lines.body.items).toEqual([]);
    const accepted = await client.post(`/grants/${grantId}/commitments/new`, { title: 'Real', category: 'family_voice', amount: '10' });
    expect(accepted.statusCode).toBe(303);
  });

  it("answers a date box sent twice in a query with the form's message, never a 500", async () => {
    const client = new FormClient(web.app);
    expect((await client.signIn(own.people.reader)).statusCode).toBe(303);
    const page = await client.get(`/grants/${grantId}/reports?asAt-day=1&asAt-day=2&asAt-month=10&asAt-year=2025`);
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('must be a real date');
    const download = await client.get(`/grants/${grantId}/reports/cabinet-table?format=csv&from-day=1&from-day=2&from-month=4&from-year=2025`);
    expect(download.statusCode).toBe(400);
    expect(download.body).toContain('must be a real date');
  });

  it('sets the session cookie HttpOnly and SameSite, and Secure outside development', async () => {
    const client = new FormClient(web.app);
    const response = await client.signIn(own.people.reader);
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/ringfence_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    expect(loadConfig({ NODE_ENV: 'staging', RINGFENCE_SESSION_SECRET: 'x'.repeat(32) }).secureCookies).toBe(true);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/RINGFENCE_SESSION_SECRET/);
  });

  it('locks an email from an address after repeated failures and says when to try again', async () => {
    const client = new FormClient(web.app, '198.51.100.20');
    const person = own.people.programme_lead;
    for (let attempt = 1; attempt < LOCKOUT.failures; attempt++) {
      const wrong = await client.post('/sign-in', { email: person.email, password: 'wrong password' });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.body).toContain('Enter a correct email address and password');
    }
    const locking = await client.post('/sign-in', { email: person.email, password: 'wrong password' });
    expect(locking.statusCode).toBe(423);
    expect(locking.body).toContain(`Try again in ${LOCKOUT.firstLockMinutes} minute`);
    expect(Number(locking.headers['retry-after'])).toBeGreaterThan(0);
    const rightButLocked = await client.signIn(person);
    expect(rightButLocked.statusCode).toBe(423);
    expect(rightButLocked.body).toMatch(/Too many failed attempts .* Try again in \d+ minutes?/);

    // Once the lock has passed, the right password works again.
    await web.database.handle.db
      .updateTable('sign_in_failures')
      .set({ locked_until: new Date(Date.now() - 1000) })
      .execute();
    expect((await client.signIn(person)).statusCode).toBe(303);
  });

  it('signs out every other session when a password changes', async () => {
    const person = own.people.admin;
    const here = new FormClient(web.app);
    const elsewhere = new FormClient(web.app);
    await here.signIn(person);
    await elsewhere.signIn(person);
    expect((await elsewhere.get(`/grants/${grantId}`)).statusCode).toBe(200);
    const changed = await here.post(
      '/account/password',
      { currentPassword: person.password, newPassword: 'a new and longer passphrase', confirmPassword: 'a new and longer passphrase' },
      { from: '/account' },
    );
    expect(changed.statusCode).toBe(303);
    expect((await here.get(`/grants/${grantId}`)).statusCode).toBe(200);
    const revoked = await elsewhere.get(`/grants/${grantId}`);
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toMatch(/^\/sign-in\?next=/);
    const audit = await own.organisation.as.admin.get(`/api/v1/organisations/${own.organisation.id}/audit?entity=user`);
    const record = audit.body.items.find((item: { action: string }) => item.action === 'set-password');
    expect(record.after).toMatchObject({ passwordChanged: true, sessionsRevoked: true });
    expect(JSON.stringify(audit.body)).not.toMatch(/argon2|a new and longer passphrase/);
  });

  it('gives pages the API’s access rules: sign-in first, 403 above a role, 404 for another council', async () => {
    const anonymous = await new FormClient(web.app).get(`/grants/${grantId}`);
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe(`/sign-in?next=${encodeURIComponent(`/grants/${grantId}`)}`);
    const reader = new FormClient(web.app);
    await reader.signIn(own.people.reader);
    expect((await reader.get(`/grants/${grantId}`)).statusCode).toBe(200);
    const form = await reader.get(`/grants/${grantId}/commitments/new`);
    expect(form.statusCode).toBe(403);
    expect(form.body).toContain('This needs the finance role or higher');
    const outsider = new FormClient(web.app);
    await outsider.signIn(other.people.admin);
    const hidden = await outsider.get(`/grants/${grantId}`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.body).toContain('Page not found');
  });

  it('shows a GOV.UK page for an unknown address, while unknown API routes stay problems', async () => {
    const missing = await web.app.inject({ method: 'GET', url: '/no-such-page' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^text\/html/);
    expect(missing.body).toContain('Page not found');
    const api = await web.app.inject({ method: 'GET', url: '/api/v1/no-such-route' });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('keeps the API as it was: bearer tokens, JSON only, with security headers', async () => {
    const me = await own.organisation.as.reader.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.headers['content-security-policy']).toContain("default-src 'self'");
    expect(me.headers['x-content-type-options']).toBe('nosniff');
    const form = await web.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: { authorization: `Bearer ${web.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x&code=y',
    });
    expect(form.statusCode).toBe(415);
    expect(Object.keys((await web.app.inject({ method: 'GET', url: '/openapi.json' })).json().paths).filter((path) => !path.startsWith('/api/'))).toEqual([]);
  });

  it('serves Swagger UI at /docs under the content security policy', async () => {
    const browser = await launchBrowser(web.baseURL);
    try {
      const refused: string[] = [];
      browser.page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
      });
      await browser.page.goto('/docs');
      // Swagger UI builds the page from a large script: allow it longer than a plain step under load.
      await browser.page.waitForSelector('.swagger-ui .info .title', { timeout: 45_000 });
      expect(await browser.page.locator('.swagger-ui .info .title').innerText()).toContain('Ringfence API');
      expect(refused).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('rate-limits sign-in attempts from one address', async () => {
    const client = new FormClient(web.app);
    let response;
    for (let attempt = 0; attempt <= SIGN_IN_RATE.max; attempt++) {
      response = await client.post('/sign-in', { email: `nobody${attempt}@example.gov.uk`, password: 'guess' });
      if (response.statusCode === 429) break;
    }
    expect(response?.statusCode).toBe(429);
    expect(response?.body).toMatch(/Try again in \d+ minutes?/);
    expect(response?.headers['retry-after']).toBeDefined();
  });
});
