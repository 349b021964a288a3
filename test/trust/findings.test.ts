import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neutraliseCsvText } from '../../src/reports/shared/safe-text.ts';
import { csvLine } from '../../src/reports/shared/csv.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

/** The API findings of the second attack round, each refused as the contract says. */
describe('API findings, second round', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let neighbour: TestOrganisation;
  let grantId: string;
  let neighbourLineId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp);
    neighbour = await createOrganisation(testApp, 'Neighbour');
    grantId = (await createGrant(council, [{ amount: '100000.00', description: 'Grant', status: 'confirmed' }])).id;
    const neighbourGrant = await createGrant(neighbour);
    neighbourLineId = (await createLine(neighbour.as.finance, neighbourGrant.id, { title: 'Theirs', category: 'family_voice', amount: '10.00' })).id;
  });
  afterAll(() => testApp?.close());

  async function rawPost(url: string, payload: string, headers: Record<string, string> = {}) {
    const response = await testApp.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });
    return { status: response.statusCode, body: response.json(), headers: response.headers };
  }

  const JSON_TYPE = { 'content-type': 'application/json' };
  const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((error) => error.path);

  it('refuses money sent as 1E2 or 100.000 (JSON numbers JavaScript would rewrite), and money with spaces', async () => {
    for (const amount of ['1E2', '100.000', '1e-2', '0.100']) {
      const response = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, `{"title":"Money ${amount}","category":"family_voice","amount":${amount}}`, {
        'content-type': 'application/json',
      });
      expect(response.status, amount).toBe(400);
      expect(paths(response.body), amount).toEqual(['amount']);
    }
    for (const amount of [' 1.00', '1.00 ', '\t1.00']) {
      const response = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, { title: 'Spaced', category: 'family_voice', amount });
      expect(response.status, JSON.stringify(amount)).toBe(400);
      expect(paths(response.body)).toEqual(['amount']);
    }
    const plain = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, '{"title":"Number money","category":"family_voice","amount":100.50}', {
      'content-type': 'application/json',
    });
    expect(plain.status).toBe(201);
    expect(plain.body.amount).toBe('100.50');
  });

  it('refuses unknown fields on withdraw, and still takes no body or {}', async () => {
    const line = await createLine(council.as.finance, grantId, { title: 'To withdraw', category: 'family_voice', amount: '1.00' });
    const extra = await council.as.finance.post(`/api/v1/commitments/${line.id}/withdraw`, { reason: 'typo' });
    expect(extra.status).toBe(400);
    expect(paths(extra.body)).toEqual(['reason']);
    expect((await council.as.finance.post(`/api/v1/commitments/${line.id}/withdraw`, {})).status).toBe(200);
    const other = await createLine(council.as.finance, grantId, { title: 'To withdraw bare', category: 'family_voice', amount: '1.00' });
    expect((await council.as.finance.post(`/api/v1/commitments/${other.id}/withdraw`)).status).toBe(200);

    const tranche = await council.as.finance.post(`/api/v1/grants/${grantId}/tranches`, { amount: '1.00', description: 'Extra', status: 'confirmed' });
    expect(tranche.status).toBe(201);
    const trancheExtra = await council.as.finance.post(`/api/v1/tranches/${tranche.body.id}/withdraw`, { force: true });
    expect(trancheExtra.status).toBe(400);
    expect(paths(trancheExtra.body)).toEqual(['force']);
  });

  it('documents the commit of an import as taking no fields', async () => {
    const document = (await testApp.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const schema = document.paths['/api/v1/imports/{importId}/commit'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(schema)).toContain('"additionalProperties":false');
    expect(JSON.stringify(schema)).not.toContain('"required"');
  });

  it('refuses a title of only invisible characters', async () => {
    for (const title of ['\u200B\u200B', '\u00A0', '\u2060\uFEFF', ' \u200C\u200D ']) {
      const response = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, { title, category: 'family_voice', amount: '1.00' });
      expect(response.status, JSON.stringify(title)).toBe(400);
      expect(paths(response.body)).toEqual(['title']);
    }
  });

  it('releases an Idempotency-Key when the request fails, so the corrected retry runs', async () => {
    const url = `/api/v1/grants/${grantId}/commitments`;
    const wrong = await council.as.finance.post(url, { title: 'Retried', category: 'no_such_category', amount: '5.00' }, { 'idempotency-key': 'fix-and-retry' });
    expect(wrong.status).toBe(400);
    const corrected = await council.as.finance.post(url, { title: 'Retried', category: 'family_voice', amount: '5.00' }, { 'idempotency-key': 'fix-and-retry' });
    expect(corrected.status).toBe(201);
    const spendUrl = `/api/v1/commitments/${corrected.body.id}/spend`;
    const overAllocation = await council.as.finance.post(spendUrl, { amount: '999999999.00', spentOn: '2025-05-01' }, { 'idempotency-key': 'after-422' });
    expect(overAllocation.status).toBe(422);
    const smaller = await council.as.finance.post(spendUrl, { amount: '1.00', spentOn: '2025-05-01' }, { 'idempotency-key': 'after-422' });
    expect(smaller.status).toBe(201);
  });

  it("never replays one user's stored response to another user with the same key", async () => {
    const url = `/api/v1/grants/${grantId}/commitments`;
    const body = { title: 'Shared key', category: 'family_voice', amount: '2.00' };
    const first = await council.as.finance.post(url, body, { 'idempotency-key': 'same-text' });
    expect(first.status).toBe(201);
    const second = await council.as.admin.post(url, body, { 'idempotency-key': 'same-text' });
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body.id).not.toBe(first.body.id);
  });

  it("answers a link to another council's record like an unknown id: 400 naming the field", async () => {
    const post = (commitmentId: string) =>
      council.as.programme_lead.post(`/api/v1/organisations/${council.id}/posts`, { title: 'Lead', headcount: 1, annualCost: '1.00', status: 'planned', commitmentId });
    const foreign = await post(neighbourLineId);
    const unknown = await post('00000000-0000-4000-8000-000000000000');
    expect(foreign.status).toBe(400);
    expect(paths(foreign.body)).toEqual(['commitmentId']);
    expect({ status: foreign.status, errors: foreign.body.errors }).toEqual({ status: unknown.status, errors: unknown.body.errors });
    const spend = await council.as.finance.post(`/api/v1/commitments/${neighbourLineId}/spend`, { amount: '1.00', spentOn: '2025-05-01' });
    expect([404]).toContain(spend.status);
  });

  it('sends nosniff and no-store on API responses, refusals included', async () => {
    for (const url of [`/api/v1/organisations/${council.id}`, '/api/v1/no-such-thing']) {
      const response = await council.as.reader.get(url);
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['cache-control'], url).toBe('no-store');
    }
  });

  it('answers a method a path lacks with 405 and Allow', async () => {
    const response = await council.as.admin.delete(`/api/v1/grants/${grantId}/summary`);
    expect(response.status).toBe(405);
    expect(String(response.headers.allow)).toMatch(/\bGET\b/);
    expect(String(response.headers.allow)).not.toMatch(/DELETE/);
    expect(response.body.type).toMatch(/\/problems\/method-not-allowed$/);
    expect((await council.as.admin.get('/api/v1/no-such-route')).status).toBe(404);
  });

  it('refuses text holding half a surrogate pair (not Unicode) with 400 naming it, and writes nothing', async () => {
    const line = await createLine(council.as.finance, grantId, { title: 'Surrogates', category: 'family_voice', amount: '100.00' });
    for (const escaped of ['\\ud800', 'x\\udfff', '\\udbff\\u0041']) {
      const spend = await council.as.finance.post(`/api/v1/commitments/${line.id}/spend`, `{"amount":"1.00","spentOn":"2025-06-30","reference":"${escaped}"}`, JSON_TYPE);
      expect(spend.status, escaped).toBe(400);
      expect(spend.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(spend.body.errors.map((error: { message: string }) => error.message).join(' ')).toMatch(/reference/);
      const created = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, `{"title":"Half ${escaped}","category":"family_voice","amount":"1.00"}`, JSON_TYPE);
      expect(created.status, escaped).toBe(400);
    }
    // A whole pair is a character like any other.
    const paired = await council.as.finance.post(`/api/v1/commitments/${line.id}/spend`, '{"amount":"1.00","spentOn":"2025-06-30","reference":"\\ud83d\\ude00"}', JSON_TYPE);
    expect(paired.status).toBe(201);
    expect(paired.body.reference).toBe('\u{1F600}');
    const entries = await council.as.reader.get(`/api/v1/commitments/${line.id}/spend`);
    expect(entries.body.items.map((entry: { reference: string }) => entry.reference)).toEqual(['\u{1F600}']);
  });

  it('refuses JSON nested thousands deep with 400, on API and public routes alike', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const deepList = `${'['.repeat(20000)}${']'.repeat(20000)}`;
    for (const url of ['/api/v1/organisations', '/sign-in', `/api/v1/grants/${grantId}/commitments`]) {
      for (const payload of [deep, deepList]) {
        const response = await testApp.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', authorization: `Bearer ${testApp.adminToken}` } });
        expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, url).toBeLessThan(500);
      }
    }
    const response = await rawPost('/api/v1/organisations', deep, { authorization: `Bearer ${testApp.adminToken}` });
    expect(response.status).toBe(400);
  });

  it('refuses malformed multipart with 400', async () => {
    const url = `/api/v1/grants/${grantId}/imports`;
    const bearer = { authorization: `Bearer ${testApp.adminToken}` };
    const noBoundary = await testApp.app.inject({ method: 'POST', url, payload: 'kind=spend', headers: { ...bearer, 'content-type': 'multipart/form-data' } });
    expect(noBoundary.statusCode).toBe(400);
    const truncated = await testApp.app.inject({
      method: 'POST',
      url,
      payload:
        '--XyZ\r\nContent-Disposition: form-data; name="kind"\r\n\r\nspend\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nDate,Amount\r\n2025-05-01,1.00',
      headers: { ...bearer, 'content-type': 'multipart/form-data; boundary=XyZ' },
    });
    expect(truncated.statusCode).toBe(400);
  });

  it('refuses non-Latin-1 and broken percent-encoding in query strings with 400, not 500', async () => {
    for (const query of ['entity=%E2%82', 'entity=%FF%FE', `entity=${encodeURIComponent('\u20AC\u{1F600}')}`, 'entity=%00']) {
      const response = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?${query}`);
      expect(response.status, query).toBeLessThan(500);
    }
    const raw = await testApp.app.inject({
      method: 'GET',
      url: `/api/v1/organisations/${council.id}/audit?entity=\u20AC\u0100`,
      headers: { authorization: `Bearer ${testApp.adminToken}` },
    });
    expect(raw.statusCode).toBeLessThan(500);
  });

  it('refuses an audit position beyond bigint with 400', async () => {
    for (const query of ['after=9999999999999999999', 'after=99999999999999999999', 'entityId=99999999999999999999999']) {
      const response = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit?${query}`);
      expect(response.status, query).toBeLessThan(500);
      if (query.startsWith('after')) expect(paths(response.body), query).toEqual(['after']);
    }
  });

  it('refuses a year-0000 transparency range with 400 before any byte of the file', async () => {
    for (const url of [
      `/api/v1/grants/${grantId}/reports/spending-over-500?from=0000-01-01`,
      `/api/v1/organisations/${council.id}/reports/spending-over-500?from=0000-01-01&to=2025-12-31`,
    ]) {
      const response = await council.as.reader.get(url);
      expect(response.status, url).toBe(400);
      expect(String(response.headers['content-type'])).toMatch(/problem\+json/);
    }
  });

  it('neutralises a formula wherever one could start in a CSV cell', () => {
    expect(neutraliseCsvText("Room hire;=cmd|' /C calc'!A0")).toBe("Room hire;'=cmd|' /C calc'!A0");
    expect(neutraliseCsvText('Room hire,=1+1')).toBe("Room hire,'=1+1");
    expect(neutraliseCsvText('a\t=b')).toBe("a\t'=b");
    expect(neutraliseCsvText('a\r+b')).toBe("a\r'+b");
    expect(neutraliseCsvText('a\n@SUM(1)')).toBe("a\n'@SUM(1)");
    expect(neutraliseCsvText('a; -2')).toBe("a; '-2");
    expect(neutraliseCsvText('=start')).toBe("'=start");
    expect(neutraliseCsvText('Room hire; 2 days')).toBe('Room hire; 2 days');
    expect(csvLine(["Room hire;=cmd|' /C calc'!A0", 'x,=1'])).toBe(`Room hire;'=cmd|' /C calc'!A0,"x,'=1"\r\n`);
  });
  it('lists every bad field at once: a category error beside the schema errors', async () => {
    const response = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, { title: 'Both wrong', category: 'no_such_category', amount: 'ten pounds' });
    expect(response.status).toBe(400);
    expect(paths(response.body).sort()).toEqual(['amount', 'category']);
    const onlyCategory = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, { title: 'Category wrong', category: 'no_such_category', amount: '1.00' });
    expect(paths(onlyCategory.body)).toEqual(['category']);
  });
});
