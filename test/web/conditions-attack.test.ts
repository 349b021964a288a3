import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/db/tables.ts';
import { setPassword } from '../../src/auth/users-service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, type TestOrganisation } from '../support/factories.ts';
import { FormClient } from './support/forms.ts';
import { organisationWithPeople, PASSWORD, type Person } from './support/web-app.ts';

/**
 * The tranche and scheme pages, posted to by the wrong council, the wrong role, without the
 * form's token, and with hostile values: 404, 403, a form error, never a 500, nothing written.
 */
describe('attacking the tranche and scheme pages', () => {
  let testApp: TestApp;
  let councilA: { organisation: TestOrganisation; people: Record<Role, Person> };
  let councilB: { organisation: TestOrganisation; people: Record<Role, Person> };
  let grantA: { id: string; tranches: { id: string }[] };
  let grantB: { id: string };
  let trancheA: string;
  let platformAdmin: Person;

  beforeAll(async () => {
    testApp = await startTestApp();
    councilA = await organisationWithPeople(testApp, 'Page Council A');
    councilB = await organisationWithPeople(testApp, 'Page Council B');
    grantA = await createGrant(councilA.organisation, [{ amount: '1000.00', description: 'Base of A', status: 'confirmed' }]);
    grantB = await createGrant(councilB.organisation, [{ amount: '1000.00', description: 'Base of B', status: 'confirmed' }]);
    trancheA = grantA.tranches[0]!.id;
    const db = testApp.database.handle.db;
    const admin = await db.selectFrom('users').select(['id', 'email']).where('is_platform_admin', '=', true).executeTakeFirstOrThrow();
    await setPassword(db, { actorId: null }, admin.id, PASSWORD);
    platformAdmin = { email: admin.email, password: PASSWORD };
  });
  afterAll(() => testApp?.close());

  async function signedIn(person: Person): Promise<FormClient> {
    const client = new FormClient(testApp.app);
    expect((await client.signIn(person)).statusCode).toBe(303);
    return client;
  }

  async function trancheOfA(): Promise<{ amount: string; status: string; version: number }> {
    const response = await councilA.organisation.as.reader.get(`/api/v1/tranches/${trancheA}`);
    return response.body;
  }

  it("another council's members get 404 for a tranche's pages, as for a tranche that does not exist", async () => {
    const before = await trancheOfA();
    for (const role of ['admin', 'finance', 'reader'] as const) {
      const intruder = await signedIn(councilB.people[role]);
      const from = `/grants/${grantB.id}`;
      for (const id of [trancheA, randomUUID()]) {
        expect((await intruder.get(`/tranches/${id}/edit`)).statusCode).toBe(404);
        expect((await intruder.get(`/tranches/${id}/withdraw`)).statusCode).toBe(404);
        expect((await intruder.post(`/tranches/${id}/edit`, { amount: '1.00', description: 'Stolen', version: '1' }, { from })).statusCode).toBe(404);
        expect((await intruder.post(`/tranches/${id}/withdraw`, { version: '1' }, { from })).statusCode).toBe(404);
      }
      const mine = await intruder.get(`/tranches/${trancheA}/edit`);
      expect(mine.body).not.toContain('Base of A');
      expect((await intruder.get('/tranches/not-a-uuid/edit')).statusCode).toBe(404);
    }
    expect(await trancheOfA()).toEqual(before);
  });

  it('a reader of the same council gets 403, and a post without the form token is refused', async () => {
    const before = await trancheOfA();
    // Roles run reader < finance < programme lead < admin: only the reader is below finance.
    for (const role of ['reader'] as const) {
      const member = await signedIn(councilA.people[role]);
      expect((await member.get(`/tranches/${trancheA}/edit`)).statusCode).toBe(403);
      expect((await member.post(`/tranches/${trancheA}/edit`, { amount: '1.00', description: 'x', version: '1' }, { from: `/grants/${grantA.id}` })).statusCode).toBe(403);
      expect((await member.post(`/tranches/${trancheA}/withdraw`, { version: '1' }, { from: `/grants/${grantA.id}` })).statusCode).toBe(403);
    }
    const finance = await signedIn(councilA.people.finance);
    expect((await finance.post(`/tranches/${trancheA}/edit`, { amount: '1.00', description: 'Forged', version: '1' }, { withToken: false })).statusCode).toBe(403);
    expect((await finance.post(`/tranches/${trancheA}/withdraw`, { version: '1' }, { withToken: false })).statusCode).toBe(403);
    expect((await finance.post(`/tranches/${trancheA}/withdraw`, { version: '1', _csrf: 'not-the-token' }, { withToken: false })).statusCode).toBe(403);
    expect(await trancheOfA()).toEqual(before);
  });

  it('the tranche form answers hostile values with its own errors, never a 500, and changes nothing', async () => {
    const before = await trancheOfA();
    const finance = await signedIn(councilA.people.finance);
    const form = { amount: '1000.00', description: 'Base of A', status: 'confirmed', purpose: 'base', version: String(before.version) };
    const hostileTranches: Record<string, string>[] = [
      { 'receivedOn-day': '1', 'receivedOn-month': '1', 'receivedOn-year': '0000' },
      { 'receivedOn-day': '30', 'receivedOn-month': '2', 'receivedOn-year': '2025' },
      { description: 'nul\u0000inside' },
      { determinationRef: '31/\u00007833' },
      { amount: '999999999999999.99' },
      { purpose: 'earmarked', earmarkedCategory: 'trans\u0000formation' },
      { purpose: 'earmarked', earmarkedCategory: 'TRANSFORMATION' },
      { description: 'x'.repeat(20_000) },
    ];
    for (const hostile of hostileTranches) {
      const response = await finance.post(`/tranches/${trancheA}/edit`, { ...form, ...hostile });
      expect(response.statusCode, JSON.stringify(hostile).slice(0, 80)).toBe(422);
      expect(response.body).toContain('govuk-error-summary');
    }
    const stale = await finance.post(`/tranches/${trancheA}/edit`, { ...form, amount: '900.00', version: 'garbage' });
    expect(stale.statusCode).toBeGreaterThanOrEqual(400);
    expect(stale.statusCode).toBeLessThan(500);
    expect(await trancheOfA()).toEqual(before);
  });

  it('scheme administration is for platform administrators only', async () => {
    const schemesBefore = (await councilA.organisation.as.reader.get('/api/v1/schemes')).body.items.length;
    for (const role of ['admin', 'finance', 'reader'] as const) {
      const member = await signedIn(councilA.people[role]);
      for (const url of ['/admin/schemes', '/admin/schemes/new', '/admin/schemes/csc-prevention/versions/new']) {
        expect((await member.get(url)).statusCode, `${role} ${url}`).toBe(403);
      }
      const from = `/grants/${grantA.id}`;
      expect((await member.post('/admin/schemes/new', { code: 'forged', name: 'Forged', financialYear: '2030-31' }, { from })).statusCode).toBe(403);
      expect((await member.post('/admin/schemes/csc-prevention/versions/new', { financialYear: '2030-31' }, { from })).statusCode).toBe(403);
    }
    const admin = await signedIn(platformAdmin);
    expect((await admin.post('/admin/schemes/new', { code: 'forged', name: 'Forged', financialYear: '2030-31' }, { withToken: false })).statusCode).toBe(403);
    expect((await councilA.organisation.as.reader.get('/api/v1/schemes')).body.items.length).toBe(schemesBefore);
  });

  it('the scheme forms answer hostile values with their own errors, never a 500', async () => {
    const admin = await signedIn(platformAdmin);
    const version = {
      financialYear: '2030-31',
      'headings.0.code': 'main',
      'headings.0.label': 'Main',
      'categories.0.code': 'alpha',
      'categories.0.name': 'Alpha',
      'categories.0.heading': 'main',
      'categories.0.plannedShare': '1',
    };
    const schemesBefore = (await councilA.organisation.as.reader.get('/api/v1/schemes')).body.items.length;
    const hostileSchemes: Record<string, string>[] = [
      { name: 'N\u0000UL' },
      { code: 'nul\u0000' },
      { financialYear: '0000-01' },
      { 'headings.0.label': 'M\u0000' },
      { 'categories.0.plannedShare': '1', 'categories.1.code': 'beta', 'categories.1.name': 'Beta', 'categories.1.heading': 'main', 'categories.1.plannedShare': '0.5' },
      { 'determinations.0.ref': 'D/1', 'determinations.0.title': 'T', 'determinations.0.purpose': 'earmarked', 'determinations.0.earmarkedCategory': 'ALPHA' },
      { code: 'csc-prevention' },
    ];
    for (const hostile of hostileSchemes) {
      const response = await admin.post('/admin/schemes/new', { code: 'hostile', name: 'Hostile', ...version, ...hostile });
      expect(response.statusCode, JSON.stringify(hostile)).toBe(422);
      expect(response.body).toContain('govuk-error-summary');
    }
    const versionPage = await admin.post('/admin/schemes/csc-prevention/versions/new', { ...version, financialYear: '0000-01' });
    expect(versionPage.statusCode).toBe(422);
    expect((await admin.get('/admin/schemes/csc%00prevention/versions/new')).statusCode).toBe(404);
    expect((await admin.post('/admin/schemes/csc%00prevention/versions/new', version, { from: '/admin/schemes/new' })).statusCode).toBe(404);
    expect((await admin.get('/admin/schemes/CSC-Prevention/versions/new')).statusCode).toBe(404);
    expect((await councilA.organisation.as.reader.get('/api/v1/schemes')).body.items.length).toBe(schemesBefore);
  });

  it('the commitments filters refuse what the form does not offer, never a 500', async () => {
    const reader = await signedIn(councilA.people.reader);
    for (const query of ['category=family%00voice', 'status=%00', 'category=FAMILY_VOICE', `category=${'x'.repeat(5000)}`, 'status=withdrawn&category=family_voice&sort=%00']) {
      const response = await reader.get(`/grants/${grantA.id}/commitments?${query}`);
      expect(response.statusCode, query).toBeLessThan(500);
    }
    expect((await reader.get(`/grants/${grantA.id}/commitments?category=family%00voice`)).body).toContain('govuk-error-summary');
  });
});
