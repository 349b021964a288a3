import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type Api, startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation } from '../support/factories.ts';

/**
 * Every write route, fed malformed bodies: wrong types, huge strings, unicode, NUL,
 * negative and overflowing money, unknown fields. Always a 4xx problem, never a 500, and the
 * database exactly as it was.
 */
const hostileValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constant('x'.repeat(100_001)),
  fc.constant('nul\u0000inside'),
  fc.constantFrom('-1.00', '-0.01', '9999999999999.99', '1e3', '12.345', 'NaN', 'Infinity', '', ' ', '£1,000', '0x10', '١٢٣'),
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 64, -0),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** A value of a JSON type the field does not take: a list where a list is wanted gets an object, and so on. */
function wrongTypeFor(valid: unknown) {
  const anObject = fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 });
  if (Array.isArray(valid)) return fc.oneof(anObject, fc.string({ maxLength: 5 }), fc.integer());
  return fc.oneof(anObject, fc.array(fc.integer(), { maxLength: 3 }));
}
const badMoney = fc.constantFrom('12.345', '1e3', '9999999999999.99', 'NaN', '', 'ten pounds', 0.1 + 0.2, 1e21);
const MONEY_FIELDS = new Set(['amount', 'irrecoverableVat', 'annualCost']);

/** Bodies that would be accepted; each fuzz case breaks exactly one field of one of them. */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  'POST /api/v1/organisations': { name: 'Fuzz Council', code: 'E06000555' },
  'POST /api/v1/organisations/{orgId}/grants': { scheme: 'csc-prevention', financialYear: '2030-31', tranches: [{ amount: '1.00', description: 'x', status: 'confirmed' }] },
  'POST /api/v1/grants/{grantId}/tranches': { amount: '1.00', description: 'x', status: 'confirmed' },
  'POST /api/v1/grants/{grantId}/commitments': { title: 'x', category: 'family_voice', amount: '1.00' },
  'PATCH /api/v1/commitments/{id}': { title: 'x', amount: '1.00' },
  'POST /api/v1/commitments/{id}/spend': { amount: '1.00', spentOn: '2025-05-01' },
  'POST /api/v1/organisations/{orgId}/users': { email: 'fuzz@example.gov.uk', name: 'Fuzz', role: 'reader' },
  'POST /api/v1/users/{userId}/tokens': { name: 'fuzz' },
};

describe('fuzzing every write route', () => {
  let testApp: TestApp;
  let admin: Api;
  let params: Record<string, string>;
  let writeRoutes: { key: string; method: string; path: string; fields: string[] }[];

  beforeAll(async () => {
    testApp = await startTestApp();
    admin = apiAs(testApp.app, testApp.adminToken);
    const council = await createOrganisation(testApp);
    const grant = await createGrant(council);
    const line = await createLine(council.as.finance, grant.id, { title: 'Line', category: 'family_voice', amount: '10.00' });
    params = { orgId: council.id, grantId: grant.id, id: line.id, userId: council.userIds.finance, code: 'family_voice' };
    const document = (await testApp.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    writeRoutes = Object.entries(document.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: object } }> } }>>).flatMap(
      ([path, operations]) =>
        Object.entries(operations)
          .filter(([method, operation]) => ['post', 'patch', 'put'].includes(method) && operation.requestBody)
          .map(([method, operation]) => ({
            key: `${method.toUpperCase()} ${path}`,
            method: method.toUpperCase(),
            path,
            fields: Object.keys(operation.requestBody!.content['application/json']?.schema.properties ?? {}),
          })),
    );
  });
  afterAll(() => testApp?.close());

  async function snapshot(): Promise<string> {
    const tables = await sql<{ tablename: string }>`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`.execute(testApp.database.handle.db);
    const counts: string[] = [];
    for (const { tablename } of tables.rows) {
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(tablename)}`.execute(testApp.database.handle.db);
      counts.push(`${tablename}=${rows[0]!.n}`);
    }
    return counts.join(',');
  }

  const urlOf = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? 'missing');

  async function expectRefused(method: string, url: string, body: unknown, label: string) {
    const response = method === 'PATCH' ? await admin.patch(url, body) : await admin.post(url, body);
    const where = `${label} ${JSON.stringify(body)?.slice(0, 200)}`;
    expect(response.status, where).toBeGreaterThanOrEqual(400);
    expect(response.status, where).toBeLessThan(500);
    expect(String(response.headers['content-type']), where).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(response.body)).not.toMatch(/\.ts:\d+|node_modules|SELECT |INSERT /);
  }

  it('finds the write routes in the OpenAPI document', () => {
    expect(writeRoutes.length).toBeGreaterThanOrEqual(8);
    for (const key of Object.keys(VALID_BODIES)) expect(writeRoutes.map((r) => r.key)).toContain(key);
  });

  it('refuses bodies that are not objects, or carry an unknown field among hostile values', async () => {
    const before = await snapshot();
    for (const route of writeRoutes) {
      const url = urlOf(route.path);
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            // A falsy payload goes out as no body at all, which an action taking no body (withdraw) accepts.
            fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 })).filter((body) => route.fields.length > 0 || Boolean(body)),
            fc
              .record({
                known: fc.subarray(route.fields).chain((fields) => fc.tuple(...fields.map((field) => fc.tuple(fc.constant(field), hostileValue)))),
                unknown: fc.string({ minLength: 1, maxLength: 10 }),
              })
              .map(({ known, unknown }) => ({ ...Object.fromEntries(known), [`zz_${unknown}`]: true })),
          ),
          async (body) => expectRefused(route.method, url, body, route.key),
        ),
        { numRuns: 25 },
      );
    }
    expect(await snapshot()).toBe(before);
    // 25 requests for every write route: the time grows with the routes, not with any wait.
  }, 120_000);

  it('refuses a valid body with any one field given a wrong type or bad money', async () => {
    const before = await snapshot();
    for (const [key, valid] of Object.entries(VALID_BODIES)) {
      const [method, path] = key.split(' ') as [string, string];
      const url = urlOf(path);
      const fields = Object.keys(valid);
      await fc.assert(
        fc.asyncProperty(
          fc
            .constantFrom(...fields)
            .chain((field) => fc.tuple(fc.constant(field), MONEY_FIELDS.has(field) ? fc.oneof(wrongTypeFor(valid[field]), badMoney) : wrongTypeFor(valid[field]))),
          async ([field, value]) => expectRefused(method, url, { ...valid, [field]: value }, `${key} .${field}`),
        ),
        { numRuns: 30 },
      );
    }
    expect(await snapshot()).toBe(before);
  });

  it('answers 404 for ids that are not ids', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 60 }).filter((s) => !s.includes('/') && !s.includes('?') && !s.includes('#')),
        async (id) => {
          const response = await admin.get(`/api/v1/grants/${encodeURIComponent(id)}/summary`);
          expect([400, 404]).toContain(response.status);
        },
      ),
      { numRuns: 50 },
    );
  });
  /**
   * The second round's input classes, each of which every route must refuse (never store, never
   * a 5xx): NUL, text of only invisible characters, a number literal with an exponent or a
   * third decimal, a number past any column, a day in year 0, JSON nested past its limit. Read
   * routes get them, and text outside Latin-1, in every query parameter.
   */
  // Text of only invisible characters is blank: refused where text is required, "none" where it is optional.
  const refusedText = fc.constantFrom<unknown>('nul\u0000inside', 'nul at the end\u0000');
  const DATE_FIELD = /(On|Date)$|^(from|to|asAt|on)$/;
  /** What no field may take, and what a date or money field may not, whatever else it takes. */
  const refusedValue = (field: string) =>
    DATE_FIELD.test(field)
      ? fc.oneof(refusedText, fc.constantFrom('0000-01-01', '2025-02-30'))
      : MONEY_FIELDS.has(field)
        ? fc.oneof(refusedText, fc.constantFrom<unknown>('99999999999999999999999', 1e300))
        : refusedText;
  const refusedRaw = fc.constantFrom('1E2', '100.000', '1e-2', '0.100');
  const deepJson = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it("answers every route, read routes and query strings included, the second round's hostile inputs with no 5xx and no change", async () => {
    const document = (await testApp.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content: Record<string, { schema: { properties?: object } }> } }>>;
    };
    const routes = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([method]) => ['get', 'post', 'patch', 'put', 'delete'].includes(method))
          .map(([method, operation]) => ({
            method: method.toUpperCase() as 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
            url: urlOf(path),
            query: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
            fields: Object.keys(operation.requestBody?.content['application/json']?.schema.properties ?? {}),
          })),
      );
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.some((route) => route.method === 'GET' && route.query.length > 0)).toBe(true);
    const before = await snapshot();
    const send = async (method: string, url: string, payload?: string) => {
      const response = await testApp.app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${testApp.adminToken}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(payload === undefined ? {} : { payload }),
      });
      expect(response.statusCode, `${method} ${url} ${payload?.slice(0, 120) ?? ''}`).toBeLessThan(500);
      return response.statusCode;
    };
    for (const route of routes) {
      const queryValue = fc.oneof(refusedText.map(String), fc.constantFrom('0000-01-01', '数字', 'Ŵ', '\u{1F600}', '%ZZ'));
      if (route.query.length > 0) {
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...route.query), queryValue, async (name, value) => {
            const raw = value === '%ZZ' ? value : encodeURIComponent(value);
            await send(route.method, `${route.url}?${name}=${raw}`, route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}');
          }),
          { numRuns: 8 },
        );
      }
      if (route.fields.length > 0 && route.method !== 'GET') {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...route.fields).chain((field) =>
              fc.tuple(
                fc.constant(field),
                // Shares take four decimals, so the ambiguous literals are refused everywhere but a share
                // (maxShare, plannedShare, costShare; the forecast's underspendThreshold is one too).
                /Share$|^underspendThreshold$/.test(field)
                  ? refusedValue(field).map((v) => JSON.stringify(v))
                  : fc.oneof(
                      refusedValue(field).map((v) => JSON.stringify(v)),
                      refusedRaw,
                    ),
              ),
            ),
            async ([field, literal]) => {
              const status = await send(route.method, route.url, `{"${field}":${literal}}`);
              expect(status, `${route.method} ${route.url} .${field}=${literal}`).toBeGreaterThanOrEqual(400);
            },
          ),
          { numRuns: 8 },
        );
        expect(await send(route.method, route.url, `{"${route.fields[0]}":${deepJson(200)}}`)).toBeGreaterThanOrEqual(400);
      }
    }
    expect(await snapshot()).toBe(before);
  }, 180_000);
});
