import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toProblem } from '../../src/http/error-handler.ts';
import { type Api, apiAs, type ApiResponse, startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { csvOf, multipartBody, upload } from '../imports/support.ts';

/**
 * An attacker's and a careless user's look at conditions as data: tranches by id, schemes and
 * their versions, earmarking, committedOn and the cabinet table's `on`. Every refusal is a 4xx
 * problem naming what is wrong, from another council a 404, and nothing is half-written.
 */
const MAX = '999999999999.99';

const version = (financialYear: string, extra: Record<string, unknown> = {}) => ({
  financialYear,
  headings: [{ code: 'main', label: 'Main' }],
  categories: [
    { code: 'alpha', name: 'Alpha', heading: 'main', plannedShare: '0.6000', maxShare: '0.7000' },
    { code: 'beta', name: 'Beta', heading: 'main', plannedShare: '0.4000' },
  ],
  determinations: [
    { ref: 'D/1', title: 'Base money', purpose: 'base' },
    { ref: 'D/2', title: 'For alpha', purpose: 'earmarked', earmarkedCategory: 'alpha' },
  ],
  ...extra,
});

function expectProblem(response: ApiResponse, status: number, field?: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(String(response.headers['content-type'])).toContain('application/problem+json');
  if (field !== undefined) {
    const named = [...(response.body.errors ?? []).map((e: { path: string }) => e.path), response.body.field];
    expect(
      named.some((path: unknown) => typeof path === 'string' && path.startsWith(field)),
      JSON.stringify(response.body),
    ).toBe(true);
  }
}

describe('attacking tranches, schemes and the conditions they carry', () => {
  let testApp: TestApp;
  let admin: Api;
  let councilA: TestOrganisation;
  let councilB: TestOrganisation;
  let grantA: { id: string; tranches: { id: string }[] };
  let trancheA: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    admin = apiAs(testApp.app, testApp.adminToken);
    councilA = await createOrganisation(testApp, 'Council A');
    councilB = await createOrganisation(testApp, 'Council B');
    grantA = await createGrant(councilA, [{ amount: '1000.00', description: 'Base', status: 'confirmed', determinationRef: '31/7833' }]);
    trancheA = grantA.tranches[0]!.id;
  });
  afterAll(() => testApp?.close());

  async function rowCounts(): Promise<Record<string, number>> {
    const tables = await sql<{
      tablename: string;
    }>`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('idempotency_keys') ORDER BY tablename`.execute(testApp.database.handle.db);
    const counts: Record<string, number> = {};
    for (const { tablename } of tables.rows) {
      const result = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(tablename)}`.execute(testApp.database.handle.db);
      counts[tablename] = Number(result.rows[0]!.n);
    }
    return counts;
  }

  /** Runs a refused request and checks the database is as it was, the audit trail and tranche history included. */
  async function refusedWithoutTrace(request: () => Promise<ApiResponse>, status: number, field?: string): Promise<ApiResponse> {
    const before = await rowCounts();
    const response = await request();
    expectProblem(response, status, field);
    expect(await rowCounts()).toEqual(before);
    return response;
  }

  describe('another council', () => {
    it('cannot read, change or withdraw a tranche, nor learn it exists (404 as for nothing)', async () => {
      for (const role of ['admin', 'finance', 'reader'] as const) {
        const intruder = councilB.as[role];
        const read = await intruder.get(`/api/v1/tranches/${trancheA}`);
        const nothing = await intruder.get(`/api/v1/tranches/${randomUUID()}`);
        expectProblem(read, 404);
        expectProblem(nothing, 404);
        expect(read.body.title).toBe(nothing.body.title);
        expect(read.body.detail).toBe(nothing.body.detail);
        await refusedWithoutTrace(() => intruder.patch(`/api/v1/tranches/${trancheA}`, { amount: '1.00' }), 404);
        await refusedWithoutTrace(() => intruder.post(`/api/v1/tranches/${trancheA}/withdraw`), 404);
        await refusedWithoutTrace(() => intruder.post(`/api/v1/grants/${grantA.id}/tranches`, { amount: '1.00', description: 'x', status: 'confirmed' }), 404);
      }
      const mine = await councilA.as.reader.get(`/api/v1/tranches/${trancheA}`);
      expect(mine.status).toBe(200);
    });

    it('a reader cannot change or withdraw its own council tranche (403), and a UUID of nothing or a non-UUID is refused', async () => {
      await refusedWithoutTrace(() => councilA.as.reader.patch(`/api/v1/tranches/${trancheA}`, { amount: '1.00' }), 403);
      await refusedWithoutTrace(() => councilA.as.reader.post(`/api/v1/tranches/${trancheA}/withdraw`), 403);
      await refusedWithoutTrace(() => councilA.as.finance.patch(`/api/v1/tranches/${randomUUID()}`, { amount: '1.00' }), 404);
      await refusedWithoutTrace(() => councilA.as.finance.post(`/api/v1/tranches/${randomUUID()}/withdraw`), 404);
      // Not an id at all is no tranche either: 404, as the access check finds nothing to grant.
      expectProblem(await councilA.as.finance.get('/api/v1/tranches/not-a-uuid'), 404);
      await refusedWithoutTrace(() => councilA.as.finance.patch('/api/v1/tranches/not-a-uuid', { amount: '1.00' }), 404);
      expectProblem(await councilA.as.finance.get('/api/v1/tranches/%00'), 404);
    });

    it('only a platform administrator adds schemes or versions', async () => {
      for (const role of ['admin', 'finance', 'reader'] as const) {
        await refusedWithoutTrace(() => councilA.as[role].post('/api/v1/schemes', { code: 'intruder', name: 'Intruder', versions: [version('2025-26')] }), 403);
        await refusedWithoutTrace(() => councilA.as[role].post('/api/v1/schemes/csc-prevention/versions', version('2030-31')), 403);
      }
      await refusedWithoutTrace(() => apiAs(testApp.app, null).post('/api/v1/schemes', { code: 'anon', name: 'Anon', versions: [version('2025-26')] }), 401);
    });
  });

  describe('hostile text', () => {
    it('refuses NUL in every text field of a tranche, a grant and a scheme as 400 naming it', async () => {
      const finance = councilA.as.finance;
      const tranche = { amount: '1.00', description: 'x', status: 'confirmed' };
      await refusedWithoutTrace(() => finance.post(`/api/v1/grants/${grantA.id}/tranches`, { ...tranche, description: 'a\u0000b' }), 400, 'description');
      await refusedWithoutTrace(() => finance.post(`/api/v1/grants/${grantA.id}/tranches`, { ...tranche, determinationRef: '31/\u00007833' }), 400, 'determinationRef');
      await refusedWithoutTrace(
        () => finance.post(`/api/v1/grants/${grantA.id}/tranches`, { ...tranche, purpose: 'earmarked', earmarkedCategory: 'trans\u0000formation' }),
        400,
        'earmarkedCategory',
      );
      await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${trancheA}`, { description: '\u0000' }), 400, 'description');
      await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${trancheA}`, { determinationRef: '\u0000' }), 400, 'determinationRef');
      await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${trancheA}`, { earmarkedCategory: 'a\u0000' }), 400, 'earmarkedCategory');
      await refusedWithoutTrace(() => finance.post(`/api/v1/organisations/${councilA.id}/grants`, { scheme: 'csc-\u0000prevention', financialYear: '2031-32' }), 400, 'scheme');
      await refusedWithoutTrace(
        () =>
          finance.post(`/api/v1/organisations/${councilA.id}/grants`, {
            scheme: 'csc-prevention',
            financialYear: '2031-32',
            categories: [{ code: 'family\u0000voice', plannedShare: '0.1' }],
          }),
        400,
        'categories',
      );
      await refusedWithoutTrace(() => admin.post('/api/v1/schemes', { code: 'nul', name: 'N\u0000UL', versions: [version('2025-26')] }), 400, 'name');
      await refusedWithoutTrace(() => admin.post('/api/v1/schemes', { code: 'nul\u0000', name: 'NUL', versions: [version('2025-26')] }), 400, 'code');
      await refusedWithoutTrace(
        () => admin.post('/api/v1/schemes', { code: 'nul', name: 'NUL', versions: [version('2025-26', { headings: [{ code: 'main', label: 'M\u0000' }] })] }),
        400,
        'versions.0.headings.0.label',
      );
      await refusedWithoutTrace(
        () => admin.post('/api/v1/schemes', { code: 'nul', name: 'NUL', versions: [version('2025-26', { determinations: [{ ref: 'D\u0000', title: 'T', purpose: 'base' }] })] }),
        400,
        'versions.0.determinations.0.ref',
      );
      await refusedWithoutTrace(() => admin.post('/api/v1/schemes/csc%00prevention/versions', version('2030-31')), 400, 'code');
      await refusedWithoutTrace(() => finance.patch(`/api/v1/grants/${grantA.id}/categories/family%00voice`, { plannedShare: '0.1' }), 404);
      await refusedWithoutTrace(() => finance.post(`/api/v1/grants/${grantA.id}/commitments`, { title: 'x', category: 'family\u0000voice', amount: '1.00' }), 400, 'category');
      const line = await createLine(finance, grantA.id, { title: 'Clean', category: 'family_voice', amount: '1.00' });
      await refusedWithoutTrace(() => finance.patch(`/api/v1/commitments/${line.id}`, { category: 'family\u0000voice' }), 400, 'category');
      expectProblem(await finance.get(`/api/v1/grants/${grantA.id}/commitments?category=family%00voice`), 400, 'category');
      const unfiltered = await finance.get(`/api/v1/grants/${grantA.id}/commitments?category=no_such_category`);
      expect(unfiltered.status).toBe(200);
      expect(unfiltered.body.items).toEqual([]);
    });

    it('refuses very long strings, unknown fields and empty lists as 400', async () => {
      const finance = councilA.as.finance;
      await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${trancheA}`, { description: 'x'.repeat(100_000) }), 400, 'description');
      await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${trancheA}`, { earmarkedCategory: 'x'.repeat(10_000) }), 400, 'earmarkedCategory');
      await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${trancheA}`, { amount: '2.00', grantId: grantA.id }), 400, 'grantId');
      await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${trancheA}`, {}), 400);
      await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${trancheA}`, { status: 'withdrawn' }), 400, 'status');
      await refusedWithoutTrace(() => admin.post('/api/v1/schemes', { code: 'empty', name: 'Empty', versions: [] }), 400, 'versions');
      await refusedWithoutTrace(
        () => admin.post('/api/v1/schemes', { code: 'empty', name: 'Empty', versions: [version('2025-26', { categories: [] })] }),
        400,
        'versions.0.categories',
      );
      await refusedWithoutTrace(
        () => admin.post('/api/v1/schemes', { code: 'empty', name: 'Empty', versions: [version('2025-26', { headings: [] })] }),
        400,
        'versions.0.headings',
      );
      await refusedWithoutTrace(() => admin.post('/api/v1/schemes', { code: 'long', name: 'x'.repeat(100_000), versions: [version('2025-26')] }), 400, 'name');
      await refusedWithoutTrace(() => admin.post('/api/v1/schemes', { code: 'unknown', name: 'U', versions: [version('2025-26')], owner: 'me' }), 400, 'owner');
      await refusedWithoutTrace(() => admin.post('/api/v1/schemes/csc-prevention/versions', { ...version('2030-31'), cap: '1' }), 400, 'cap');
      const longCode = await admin.post(`/api/v1/schemes/${'x'.repeat(5000)}/versions`, version('2030-31'));
      expectProblem(longCode, 414);
      expect(longCode.body.type).toBe('/problems/validation');
    });
  });

  it('answers a value PostgreSQL cannot hold with 400, should a schema ever let one through', () => {
    for (const code of ['22021', '22P05', '22007', '22008', '22003']) {
      const problem = toProblem(Object.assign(new Error('from the database'), { code }));
      expect(problem.status).toBe(400);
      expect(problem.name).toBe('validation');
    }
    expect(toProblem(Object.assign(new Error('from the database'), { code: '42P01' })).status).toBe(500);
  });

  describe('hostile years and dates', () => {
    it('refuses a year-zero financial year or day as bad input, never a 500', async () => {
      const finance = councilA.as.finance;
      await refusedWithoutTrace(() => finance.post(`/api/v1/organisations/${councilA.id}/grants`, { scheme: 'csc-prevention', financialYear: '0000-01' }), 400, 'financialYear');
      await refusedWithoutTrace(() => admin.post('/api/v1/schemes', { code: 'year-zero', name: 'Year zero', versions: [version('0000-01')] }), 400, 'versions.0.financialYear');
      await refusedWithoutTrace(() => admin.post('/api/v1/schemes/csc-prevention/versions', version('0000-01')), 400, 'financialYear');
      const tranche = { amount: '1.00', description: 'x', status: 'confirmed' };
      for (const day of ['0000-01-01', '2025-02-30', '2025-13-01', '99999-01-01']) {
        await refusedWithoutTrace(() => finance.post(`/api/v1/grants/${grantA.id}/tranches`, { ...tranche, receivedOn: day }), 400, 'receivedOn');
        await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${trancheA}`, { receivedOn: day }), 400, 'receivedOn');
        await refusedWithoutTrace(
          () => finance.post(`/api/v1/grants/${grantA.id}/commitments`, { title: 'x', category: 'family_voice', amount: '1.00', committedOn: day }),
          400,
          'committedOn',
        );
        await refusedWithoutTrace(
          () => admin.post('/api/v1/schemes/csc-prevention/versions', version('2030-31', { returnDueDates: [{ return: 'dfe-quarterly', period: 'Q1', dueOn: day }] })),
          400,
          'returnDueDates.0.dueOn',
        );
        expectProblem(await finance.get(`/api/v1/grants/${grantA.id}/reports/cabinet-table?on=${day}`), 400, 'on');
        expectProblem(await finance.get(`/api/v1/grants/${grantA.id}/summary?asAt=${day}`), 400, 'asAt');
      }
    });

    it('takes a leap day where there is one', async () => {
      const response = await councilA.as.finance.patch(`/api/v1/tranches/${trancheA}`, { receivedOn: '2024-02-29' });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.receivedOn).toBe('2024-02-29');
    });

    it('keeps a committedOn outside the grant year out (422 naming it) on create and change', async () => {
      const finance = councilA.as.finance;
      await refusedWithoutTrace(
        () => finance.post(`/api/v1/grants/${grantA.id}/commitments`, { title: 'x', category: 'family_voice', amount: '1.00', committedOn: '2026-04-01' }),
        422,
        'committedOn',
      );
      const line = await createLine(finance, grantA.id, { title: 'Dated', category: 'family_voice', amount: '1.00', committedOn: '2025-06-01' });
      await refusedWithoutTrace(() => finance.patch(`/api/v1/commitments/${line.id}`, { committedOn: '2025-03-31' }), 422, 'committedOn');
      await refusedWithoutTrace(() => finance.patch(`/api/v1/commitments/${line.id}`, { committedOn: '0000-01-01' }), 400, 'committedOn');
      await refusedWithoutTrace(() => finance.patch(`/api/v1/commitments/${line.id}`, { committedOn: '2026-02-30' }), 400, 'committedOn');
    });
  });

  describe('absurd amounts', () => {
    it('refuses amounts beyond NUMERIC(14,2) and tranches that would take the allocation past what it can hold', async () => {
      const organisation = await createOrganisation(testApp, 'Rich Council');
      const finance = organisation.as.finance;
      await refusedWithoutTrace(
        () =>
          finance.post(`/api/v1/organisations/${organisation.id}/grants`, {
            scheme: 'csc-prevention',
            financialYear: '2025-26',
            tranches: [{ amount: 1e20, description: 'x', status: 'confirmed' }],
          }),
        400,
        'tranches.0.amount',
      );
      await refusedWithoutTrace(
        () =>
          finance.post(`/api/v1/organisations/${organisation.id}/grants`, {
            scheme: 'csc-prevention',
            financialYear: '2025-26',
            tranches: Array.from({ length: 3 }, () => ({ amount: MAX, description: 'max', status: 'confirmed' })),
          }),
        400,
        'tranches',
      );
      const grant = await createGrant(organisation, [{ amount: MAX, description: 'max', status: 'confirmed' }]);
      await refusedWithoutTrace(() => finance.post(`/api/v1/grants/${grant.id}/tranches`, { amount: MAX, description: 'again', status: 'confirmed' }), 400, 'amount');
      await refusedWithoutTrace(() => finance.post(`/api/v1/grants/${grant.id}/tranches`, { amount: '0.01', description: 'a penny', status: 'provisional' }), 400, 'amount');
      await refusedWithoutTrace(
        () =>
          finance.post(`/api/v1/grants/${grant.id}/tranches`, {
            amount: '0.01',
            description: 'a penny',
            status: 'confirmed',
            purpose: 'earmarked',
            earmarkedCategory: 'transformation',
          }),
        400,
        'amount',
      );
      // A max line in a capped category: maxShare × base is in range, and the summary still reads.
      await createLine(finance, grant.id, { title: 'Big', category: 'family_voice', amount: '1000.00' });
      const summary = await finance.get(`/api/v1/grants/${grant.id}/summary`);
      expect(summary.status, JSON.stringify(summary.body)).toBe(200);
      const small = await createGrant(organisation, [{ amount: '1.00', description: 'small', status: 'confirmed' }], '2026-27');
      const smallTranche = small.tranches[0]!.id;
      await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${smallTranche}`, { amount: '9999999999999.99' }), 400, 'amount');
      await finance.post(`/api/v1/grants/${small.id}/tranches`, { amount: '1.00', description: 'second', status: 'provisional' });
      await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${smallTranche}`, { amount: MAX }), 400, 'amount');
      const grown = await finance.patch(`/api/v1/tranches/${smallTranche}`, { amount: '999999999998.99' });
      expect(grown.status, JSON.stringify(grown.body)).toBe(200);
      expect(grown.body.allocation).toBe(MAX);
      const versions = await sql<{ n: string }>`SELECT count(*)::text AS n FROM grant_tranche_versions WHERE tranche_id = ${smallTranche}`.execute(testApp.database.handle.db);
      expect(versions.rows[0]!.n).toBe('2');
    });
  });

  describe('stale and conflicting changes', () => {
    it('answers If-Match garbage with 412 and changes nothing', async () => {
      for (const ifMatch of ['garbage', '"x"', 'W/"1"', '"' + 'x'.repeat(900) + '"', `"${trancheA}.999"`]) {
        await refusedWithoutTrace(() => councilA.as.finance.patch(`/api/v1/tranches/${trancheA}`, { amount: '5.00' }, { 'if-match': ifMatch }), 412);
        await refusedWithoutTrace(() => councilA.as.finance.post(`/api/v1/tranches/${trancheA}/withdraw`, undefined, { 'if-match': ifMatch }), 412);
      }
      expectProblem(await councilA.as.finance.patch(`/api/v1/tranches/${trancheA}`, { amount: '5.00' }, { 'if-match': 'x'.repeat(5000) }), 400);
    });

    it('refuses an earmarked category of another version, or in a different case, and nothing changes', async () => {
      const finance = councilA.as.finance;
      const created = await admin.post('/api/v1/schemes', {
        code: 'two-years',
        name: 'Two years',
        versions: [
          version('2025-26'),
          version('2026-27', { categories: [{ code: 'gamma', name: 'Gamma', heading: 'main', plannedShare: '1', maxShare: null }], determinations: [] }),
        ],
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const grant = await finance.post(`/api/v1/organisations/${councilA.id}/grants`, {
        scheme: 'two-years',
        financialYear: '2026-27',
        tranches: [{ amount: '100.00', description: 'Base', status: 'confirmed' }],
      });
      expect(grant.status, JSON.stringify(grant.body)).toBe(201);
      await refusedWithoutTrace(
        () => finance.post(`/api/v1/grants/${grant.body.id}/tranches`, { amount: '1.00', description: 'x', status: 'confirmed', earmarkedCategory: 'alpha' }),
        400,
        'earmarkedCategory',
      );
      await refusedWithoutTrace(
        () => finance.post(`/api/v1/grants/${grant.body.id}/tranches`, { amount: '1.00', description: 'x', status: 'confirmed', earmarkedCategory: 'GAMMA' }),
        400,
        'earmarkedCategory',
      );
      const tranche = grant.body.tranches[0].id;
      await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${tranche}`, { purpose: 'earmarked', earmarkedCategory: 'alpha' }), 400, 'earmarkedCategory');
      await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${tranche}`, { purpose: 'base', earmarkedCategory: 'gamma' }), 400, 'earmarkedCategory');
      await refusedWithoutTrace(() => finance.patch(`/api/v1/tranches/${tranche}`, { purpose: 'earmarked' }), 400, 'earmarkedCategory');
    });

    it('refuses an inconsistent scheme version and writes no part of it', async () => {
      const bad = (extra: Record<string, unknown>) => () => admin.post('/api/v1/schemes/csc-prevention/versions', version('2031-32', extra));
      await refusedWithoutTrace(
        bad({
          categories: [
            { code: 'alpha', name: 'A', heading: 'main', plannedShare: '0.7' },
            { code: 'beta', name: 'B', heading: 'main', plannedShare: '0.4' },
          ],
          determinations: [],
        }),
        400,
        'categories',
      );
      await refusedWithoutTrace(bad({ determinations: [{ ref: 'D/9', title: 'T', purpose: 'earmarked', earmarkedCategory: 'ALPHA' }] }), 400, 'determinations.0.earmarkedCategory');
      await refusedWithoutTrace(bad({ determinations: [{ ref: 'D/9', title: 'T', purpose: 'earmarked', earmarkedCategory: 'gamma' }] }), 400, 'determinations.0.earmarkedCategory');
      await refusedWithoutTrace(
        bad({
          determinations: [
            { ref: 'D/9', title: 'T', purpose: 'base' },
            { ref: 'D/9', title: 'T2', purpose: 'base' },
          ],
        }),
        400,
        'determinations.1.ref',
      );
      await refusedWithoutTrace(
        bad({
          categories: [
            { code: 'alpha', name: 'A', heading: 'main', plannedShare: '0.5' },
            { code: 'alpha', name: 'B', heading: 'main', plannedShare: '0.5' },
          ],
          determinations: [],
        }),
        400,
        'categories.1.code',
      );
      await refusedWithoutTrace(
        bad({
          headings: [
            { code: 'main', label: 'M' },
            { code: 'main', label: 'N' },
          ],
        }),
        400,
        'headings.1.code',
      );
      await refusedWithoutTrace(bad({ categories: [{ code: 'alpha', name: 'A', heading: 'nowhere', plannedShare: '0.5' }], determinations: [] }), 400, 'categories.0.heading');
      await refusedWithoutTrace(() => admin.post('/api/v1/schemes', { code: 'csc-prevention', name: 'Again', versions: [version('2025-26')] }), 409, 'code');
      await refusedWithoutTrace(() => admin.post('/api/v1/schemes/csc-prevention/versions', version('2025-26')), 409, 'financialYear');
      await refusedWithoutTrace(
        () => admin.post('/api/v1/schemes', { code: 'twice', name: 'Twice', versions: [version('2025-26'), version('2025-26')] }),
        400,
        'versions.1.financialYear',
      );
      await refusedWithoutTrace(() => admin.post(`/api/v1/schemes/no-such-scheme/versions`, version('2031-32')), 404);
    });
  });

  describe('a commitments import with a weird "Date approved" column', () => {
    it('names every day that is no day or outside the year, imports nothing, and never answers 5xx', async () => {
      const finance = councilA.as.finance;
      const weird = ['0000-01-01', '2025-02-30', '31/02/2025', '99999999', '=TODAY()', 'x'.repeat(5000), '2025-06-01T99:99', '1e20', '-1', '2099-06-01', '01/06/2025'];
      const file = csvOf([['Category', 'Title', 'Amount', 'Date approved'], ...weird.map((day, i) => ['Children and family voice', `Line ${i}`, '1.00', day])]);
      const before = await rowCounts();
      const preview = await upload(finance, grantA.id, 'commitments', { name: 'dates.csv', content: file });
      expect(preview.status, JSON.stringify(preview.body).slice(0, 500)).toBe(201);
      const flagged = new Set<number>(preview.body.problems.filter((p: { header: string }) => p.header === 'Date approved').map((p: { row: number }) => p.row));
      // Row 8's time of day is nonsense but only the day is read, and that day is in the year; row 12 is fine.
      expect([...flagged].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 9, 10, 11]);
      expect(preview.body.canCommit).toBe(false);
      const committed = await finance.post(`/api/v1/imports/${preview.body.id}/commit`);
      expectProblem(committed, 422);
      const after = await rowCounts();
      // The upload itself is kept and audited, and its refused commit recorded how far it got
      // (import_progress, beside the import); no line, no line version, nothing in the ledger.
      expect({ ...after, imports: before.imports, audit_records: before.audit_records, import_progress: before.import_progress }).toEqual(before);
      expect(after.commitments).toBe(before.commitments);
      // A NUL makes it no text file at all: the file is refused whole.
      const binary = csvOf([
        ['Category', 'Title', 'Amount', 'Date approved'],
        ['Children and family voice', 'Line', '1.00', 'nul\u0000day'],
      ]);
      expectProblem(await upload(finance, grantA.id, 'commitments', { name: 'nul.csv', content: binary }), 400, 'file');
    });

    it('refuses a multipart body past the limit as 413, not 5xx', async () => {
      const { body, contentType } = multipartBody({ kind: 'commitments' }, { name: 'huge.csv', content: Buffer.alloc(30 * 1024 * 1024, 'a') });
      const response = await councilA.as.finance.post(`/api/v1/grants/${grantA.id}/imports`, body, { 'content-type': contentType });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(String(response.headers['content-type'])).toContain('application/problem+json');
    });
  });
});
