import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { LOCKOUT, SIGN_IN_RATE } from '../../src/auth/sign-in.ts';
import { loadConfig } from '../../src/config.ts';
import { FormClient } from './support/forms.ts';
import { organisationWithPeople, type Person, startWebApp, type WebTestApp } from './support/web-app.ts';

/** Each test signs in from addresses of its own, so one test's attempts never limit another's. */
describe('signing in: redirects, sign-out, lockout and limits', () => {
  let web: WebTestApp;
  let people: Record<'admin' | 'finance' | 'programme_lead' | 'reader', Person>;

  beforeAll(async () => {
    web = await startWebApp();
    people = (await organisationWithPeople(web, 'Sign-in Council')).people;
  });
  afterAll(() => web?.close());

  const expireLocks = () =>
    web.database.handle.db
      .updateTable('sign_in_failures')
      .set({ locked_until: new Date(Date.now() - 1000) })
      .execute();

  describe('after signing in, goes only to a path on this site', () => {
    const refused = [
      '/\t/evil.example',
      '/\n/evil.example',
      '//evil.example',
      '/\\evil.example',
      '/\\/evil.example',
      '/../\u0000/evil.example',
      '/..//evil.example',
      'https://evil.example/',
      'evil.example',
      '/ok\u0085',
    ];
    it.each(refused)('refuses next=%j for the home page', async (next) => {
      const client = new FormClient(web.app, '192.0.2.1');
      const form = await client.get(`/sign-in?next=${encodeURIComponent(next)}`);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('<input type="hidden" name="next" value="/">');
      const signedIn = await client.post('/sign-in', { email: people.reader.email, password: people.reader.password, next });
      expect(signedIn.statusCode).toBe(303);
      expect(signedIn.headers.location).toBe('/');
      const again = await client.get(`/sign-in?next=${encodeURIComponent(next)}`);
      expect(again.headers.location).toBe('/');
    });

    it('decodes the query once: %2F%2F and %09 arrive as // and a tab and are refused', async () => {
      const client = new FormClient(web.app, '192.0.2.2');
      await client.signIn(people.reader);
      for (const raw of ['/%09/evil.example', '%2F%2Fevil.example', '/%5Cevil.example', '%2F%5Cevil.example']) {
        const response = await client.get(`/sign-in?next=${raw}`);
        expect(response.statusCode, raw).toBe(303);
        expect(response.headers.location, raw).toBe('/');
      }
    });

    it('keeps a path on this site, percent-encoding text outside Latin-1 rather than failing', async () => {
      const client = new FormClient(web.app, '192.0.2.3');
      await client.signIn(people.reader);
      const kept = await client.get(`/sign-in?next=${encodeURIComponent('/grants?year=2025-26#top')}`);
      expect(kept.headers.location).toBe('/grants?year=2025-26#top');
      const unicode = await client.get(`/sign-in?next=${encodeURIComponent('/grants/日本?q=€')}`);
      expect(unicode.statusCode).toBe(303);
      expect(unicode.headers.location).toBe('/grants/%E6%97%A5%E6%9C%AC?q=%E2%82%AC');
      const fresh = new FormClient(web.app, '192.0.2.3');
      const posted = await fresh.post('/sign-in', { email: people.reader.email, password: people.reader.password, next: '/café/日本' });
      expect(posted.statusCode).toBe(303);
      expect(posted.headers.location).toBe('/caf%C3%A9/%E6%97%A5%E6%9C%AC');
    });
  });

  it('ends the session on the server when signing out: a copy of the cookie no longer works', async () => {
    const client = new FormClient(web.app, '192.0.2.10');
    expect((await client.signIn(people.finance)).statusCode).toBe(303);
    const copied = client.cookie;
    expect((await client.get('/account')).statusCode).toBe(200);
    const signedOut = await client.post('/sign-out', {}, { from: '/account' });
    expect(signedOut.headers.location).toBe('/sign-in?signedOut=1');

    const thief = await web.app.inject({ method: 'GET', url: '/account', headers: { cookie: copied } });
    expect(thief.statusCode).toBe(303);
    expect(thief.headers.location).toMatch(/^\/sign-in\?next=/);

    // Another session of the same person, elsewhere, is untouched.
    const elsewhere = new FormClient(web.app, '192.0.2.11');
    await elsewhere.signIn(people.finance);
    const here = new FormClient(web.app, '192.0.2.10');
    await here.signIn(people.finance);
    await here.post('/sign-out', {}, { from: '/account' });
    expect((await elsewhere.get('/account')).statusCode).toBe(200);
  });

  it('answers alike for an unknown email and a known one, at every step of the lockout', async () => {
    const known = new FormClient(web.app, '192.0.2.20');
    const unknown = new FormClient(web.app, '192.0.2.21');
    const message = (body: string) => /govuk-error-message">\s*<span[^>]*>[^<]*<\/span>([^<]*)</.exec(body)?.[1]?.trim() ?? body;
    for (let attempt = 1; attempt <= LOCKOUT.failures + 1; attempt++) {
      const a = await known.post('/sign-in', { email: people.admin.email, password: 'not the password' });
      const b = await unknown.post('/sign-in', { email: 'nobody.here@example.gov.uk', password: 'not the password' });
      expect(b.statusCode, `attempt ${attempt}`).toBe(a.statusCode);
      expect(message(b.body), `attempt ${attempt}`).toBe(message(a.body));
      expect(b.headers['retry-after'] === undefined).toBe(a.headers['retry-after'] === undefined);
      expect(a.statusCode).toBe(attempt < LOCKOUT.failures ? 401 : 423);
    }
    // Both are now locked the same way, the right password included.
    const right = await known.signIn(people.admin);
    expect(right.statusCode).toBe(423);
  });

  it('locks only the address that failed: someone guessing elsewhere cannot lock the owner out', async () => {
    const attacker = new FormClient(web.app, '203.0.113.66');
    for (let attempt = 1; attempt <= LOCKOUT.failures; attempt++) await attacker.post('/sign-in', { email: people.programme_lead.email, password: 'guess' });
    expect((await attacker.signIn(people.programme_lead)).statusCode).toBe(423);
    const owner = new FormClient(web.app, '192.0.2.30');
    expect((await owner.signIn(people.programme_lead)).statusCode).toBe(303);
  });

  it('backs off exponentially after repeated failures, never past the cap', async () => {
    const client = new FormClient(web.app, '192.0.2.40');
    for (let attempt = 1; attempt < LOCKOUT.failures; attempt++) expect((await client.post('/sign-in', { email: people.reader.email, password: 'guess' })).statusCode).toBe(401);
    const waits: number[] = [];
    for (let lock = 0; lock < 6; lock++) {
      const locked = await client.post('/sign-in', { email: people.reader.email, password: 'guess' });
      expect(locked.statusCode).toBe(423);
      waits.push(Math.ceil(Number(locked.headers['retry-after']) / 60));
      await expireLocks();
    }
    expect(waits).toEqual([1, 2, 4, 8, LOCKOUT.maxLockMinutes, LOCKOUT.maxLockMinutes]);
    // The right password, once the wait is over, signs in and forgets the failures.
    expect((await client.signIn(people.reader)).statusCode).toBe(303);
    expect(await web.database.handle.db.selectFrom('sign_in_failures').selectAll().where('address', '=', '192.0.2.40').execute()).toEqual([]);
  });

  it('keeps the per-address limit in PostgreSQL, so a second instance refuses the same address', async () => {
    const address = '192.0.2.50';
    const first = new FormClient(web.app, address);
    for (let attempt = 1; attempt <= SIGN_IN_RATE.max; attempt++) {
      expect((await first.post('/sign-in', { email: `nobody${attempt}@example.gov.uk`, password: 'guess' })).statusCode).not.toBe(429);
    }
    const config = loadConfig({ DATABASE_URL: web.database.url, LOG_LEVEL: 'silent' });
    const secondInstance = await buildApp({ config, database: web.database.handle });
    try {
      await secondInstance.ready();
      const refused = await new FormClient(secondInstance, address).post('/sign-in', { email: 'someone@example.gov.uk', password: 'guess' }, { withToken: false });
      expect(refused.statusCode).toBe(429);
      expect(refused.body).toMatch(/Try again in \d+ minutes?/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(SIGN_IN_RATE.windowMinutes * 60);
      const otherAddress = await new FormClient(secondInstance, '192.0.2.51').post('/sign-in', { email: people.reader.email, password: people.reader.password });
      expect(otherAddress.statusCode).toBe(303);
    } finally {
      await secondInstance.close();
    }
  });
});
