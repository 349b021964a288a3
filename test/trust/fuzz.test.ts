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
  });

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
});
