import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type Api, startTestApp, type TestApp } from '../support/app.ts';
import { upload } from '../imports/support.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { createGovernanceRecords } from '../governance/support.ts';

/**
 * Who may call each route, for every route in the OpenAPI document. A route added without a
 * row here fails the first test, so nobody ships a route whose access nobody decided.
 *  - a role: members with at least that role; other organisations get 404.
 *  - 'signed-in': any valid token; the route only shows the caller's own records.
 *  - 'platform': platform administrators only.
 *  - 'tokens': the user themself or an admin of the organisation the token acts in.
 */
type Rule = 'reader' | 'finance' | 'programme_lead' | 'admin' | 'signed-in' | 'platform' | 'tokens';

const RULES: Record<string, Rule> = {
  'GET /api/v1/me': 'signed-in',
  'POST /api/v1/organisations': 'platform',
  'GET /api/v1/organisations': 'signed-in',
  'GET /api/v1/organisations/{orgId}': 'reader',
  'PATCH /api/v1/organisations/{orgId}': 'platform',
  'POST /api/v1/organisations/{orgId}/users': 'admin',
  'GET /api/v1/organisations/{orgId}/users': 'admin',
  'DELETE /api/v1/organisations/{orgId}/users/{userId}': 'admin',
  'POST /api/v1/users/{userId}/tokens': 'tokens',
  'GET /api/v1/users/{userId}/tokens': 'tokens',
  'POST /api/v1/users/{userId}/tokens/{tokenId}/revoke': 'tokens',
  'GET /api/v1/schemes': 'signed-in',
  'POST /api/v1/schemes': 'platform',
  'POST /api/v1/schemes/{code}/versions': 'platform',
  'POST /api/v1/organisations/{orgId}/grants': 'finance',
  'GET /api/v1/organisations/{orgId}/grants': 'reader',
  'GET /api/v1/grants/{grantId}': 'reader',
  'POST /api/v1/grants/{grantId}/tranches': 'finance',
  'PATCH /api/v1/grants/{grantId}/categories/{code}': 'finance',
  'GET /api/v1/tranches/{trancheId}': 'reader',
  'PATCH /api/v1/tranches/{trancheId}': 'finance',
  'POST /api/v1/tranches/{trancheId}/withdraw': 'finance',
  'GET /api/v1/grants/{grantId}/summary': 'reader',
  'GET /api/v1/grants/{grantId}/reports/cabinet-table': 'reader',
  'GET /api/v1/grants/{grantId}/reports/dfe-return': 'reader',
  'GET /api/v1/grants/{grantId}/reports/spending-over-500': 'reader',
  'GET /api/v1/organisations/{orgId}/reports/spending-over-500': 'reader',
  'POST /api/v1/grants/{grantId}/commitments': 'finance',
  'GET /api/v1/grants/{grantId}/commitments': 'reader',
  'GET /api/v1/commitments/{id}': 'reader',
  'PATCH /api/v1/commitments/{id}': 'finance',
  'POST /api/v1/commitments/{id}/withdraw': 'finance',
  'POST /api/v1/commitments/{id}/spend': 'finance',
  'GET /api/v1/commitments/{id}/spend': 'reader',
  'POST /api/v1/grants/{grantId}/imports': 'finance',
  'GET /api/v1/imports/{importId}': 'reader',
  'PATCH /api/v1/imports/{importId}': 'finance',
  'POST /api/v1/imports/{importId}/commit': 'finance',
  'POST /api/v1/imports/{importId}/mapping': 'finance',
  'GET /api/v1/grants/{grantId}/cost-centres': 'reader',
  'POST /api/v1/grants/{grantId}/cost-centres': 'finance',
  'GET /api/v1/organisations/{orgId}/audit': 'reader',
  'GET /api/v1/organisations/{orgId}/audit/verify': 'reader',
  'POST /api/v1/organisations/{orgId}/audit/checkpoints': 'admin',
  // Programme governance: everyone reads, the programme lead (and admins) write.
  'GET /api/v1/organisations/{orgId}/governance-bodies': 'reader',
  'POST /api/v1/organisations/{orgId}/governance-bodies': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/governance-bodies/{id}': 'reader',
  'PATCH /api/v1/organisations/{orgId}/governance-bodies/{id}': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/meetings': 'reader',
  'POST /api/v1/organisations/{orgId}/meetings': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/meetings/{id}': 'reader',
  'PATCH /api/v1/organisations/{orgId}/meetings/{id}': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/decisions': 'reader',
  'POST /api/v1/organisations/{orgId}/decisions': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/decisions/{id}': 'reader',
  'PATCH /api/v1/organisations/{orgId}/decisions/{id}': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/workstreams': 'reader',
  'POST /api/v1/organisations/{orgId}/workstreams': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/workstreams/{id}': 'reader',
  'PATCH /api/v1/organisations/{orgId}/workstreams/{id}': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/posts': 'reader',
  'POST /api/v1/organisations/{orgId}/posts': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/posts/{id}': 'reader',
  'PATCH /api/v1/organisations/{orgId}/posts/{id}': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/secondments': 'reader',
  'POST /api/v1/organisations/{orgId}/secondments': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/secondments/{id}': 'reader',
  'PATCH /api/v1/organisations/{orgId}/secondments/{id}': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/milestones': 'reader',
  'POST /api/v1/organisations/{orgId}/milestones': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/milestones/{id}': 'reader',
  'PATCH /api/v1/organisations/{orgId}/milestones/{id}': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/expectations': 'reader',
  'POST /api/v1/organisations/{orgId}/expectations': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/expectations/{id}': 'reader',
  'PATCH /api/v1/organisations/{orgId}/expectations/{id}': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/risks': 'reader',
  'POST /api/v1/organisations/{orgId}/risks': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/risks/{id}': 'reader',
  'PATCH /api/v1/organisations/{orgId}/risks/{id}': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/workstreams/{id}/rag-history': 'reader',
  'GET /api/v1/organisations/{orgId}/workstreams/{id}/portfolio': 'reader',
  'POST /api/v1/organisations/{orgId}/posts/{id}/split': 'programme_lead',
  'GET /api/v1/organisations/{orgId}/risks/{id}/history': 'reader',
  'GET /api/v1/organisations/{orgId}/programme-report': 'reader',
  'GET /api/v1/grants/{grantId}/reconciliation': 'reader',
  // Forecast outturn.
  'GET /api/v1/commitments/{id}/profile': 'reader',
  'PUT /api/v1/commitments/{id}/profile': 'finance',
  'GET /api/v1/grants/{grantId}/forecast': 'reader',
  'POST /api/v1/grants/{grantId}/forecasts': 'finance',
  'GET /api/v1/grants/{grantId}/forecasts': 'reader',
  'GET /api/v1/organisations/{orgId}/forecast-settings': 'reader',
  'PUT /api/v1/organisations/{orgId}/forecast-settings': 'admin',
  // Returns: finance prepares, a programme lead or admin (never the preparer) signs off.
  'GET /api/v1/organisations/{orgId}/returns': 'reader',
  'GET /api/v1/organisations/{orgId}/returns.ics': 'reader',
  'POST /api/v1/grants/{grantId}/submissions': 'finance',
  'GET /api/v1/grants/{grantId}/submissions': 'reader',
  'GET /api/v1/submissions/{submissionId}': 'reader',
  'POST /api/v1/submissions/{submissionId}/sign-off': 'programme_lead',
  'GET /api/v1/submissions/{submissionId}/files/{format}': 'reader',
  'GET /api/v1/submissions/{submissionId}/changes': 'reader',
  // Regions and consented sharing: a council's admin shares; a body's members read its overview.
  'GET /api/v1/organisations/{orgId}/sharing': 'reader',
  'POST /api/v1/organisations/{orgId}/sharing': 'admin',
  'DELETE /api/v1/organisations/{orgId}/sharing/{withOrganisationId}': 'admin',
  'GET /api/v1/organisations/{regionId}/overview': 'reader',
  'GET /api/v1/grants/{grantId}/benchmarks': 'reader',
};

const RANK = { reader: 0, finance: 1, programme_lead: 2, admin: 3 } as const;
const MEMBER_ROLES = ['reader', 'finance', 'programme_lead', 'admin'] as const;
const DENIED = [401, 403, 404];

interface Fixture {
  organisation: TestOrganisation;
  params: Record<string, string>;
}

describe('access to every route', () => {
  let testApp: TestApp;
  let routes: { method: string; path: string; key: string }[];
  let own: Fixture;
  let other: Fixture;

  async function fixture(name: string): Promise<Fixture> {
    const organisation = await createOrganisation(testApp, name);
    const grant = await createGrant(organisation);
    const line = await createLine(organisation.as.finance, grant.id, { title: 'Line', category: 'family_help_delivery', amount: '10.00' });
    const spareToken = await organisation.as.finance.post(`/api/v1/users/${organisation.userIds.finance}/tokens`, { name: 'spare' });
    // Removing a member is tried on a member kept for it, never on the finance officer the other routes use.
    const removable = await organisation.as.admin.post(`/api/v1/organisations/${organisation.id}/users`, {
      email: `leaver.${organisation.code.toLowerCase()}@example.gov.uk`,
      name: 'Leaver',
      role: 'reader',
    });
    expect(removable.status, JSON.stringify(removable.body)).toBe(201);
    const imported = await upload(organisation.as.finance, grant.id, 'commitments', {
      name: 'lines.csv',
      content: 'Title,Category,Amount\r\nImported line,Children and family voice,5.00\r\n',
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    // Q1 2025-26 has ended by the system clock, so a return can be prepared for it.
    const submission = await organisation.as.finance.post(`/api/v1/grants/${grant.id}/submissions`, { return: 'dfe-quarterly', period: 'Q1' });
    expect(submission.status, JSON.stringify(submission.body)).toBe(201);
    return {
      organisation,
      params: {
        orgId: organisation.id,
        // The fixtures are councils: their overview is refused as 422, after the access rule has let the member through.
        regionId: organisation.id,
        grantId: grant.id,
        trancheId: grant.tranches[0]!.id,
        id: line.id,
        code: 'family_voice',
        userId: organisation.userIds.finance,
        tokenId: spareToken.body.id,
        importId: imported.body.id,
        removableUserId: removable.body.id,
        submissionId: submission.body.id,
        format: 'json',
        ...(await createGovernanceRecords(organisation)),
      },
    };
  }

  beforeAll(async () => {
    testApp = await startTestApp();
    own = await fixture('Own Council');
    other = await fixture('Other Council');
    const document = (await testApp.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    routes = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => ['get', 'post', 'patch', 'put', 'delete'].includes(method))
        .map((method) => ({ method: method.toUpperCase(), path, key: `${method.toUpperCase()} ${path}` })),
    );
  });
  afterAll(() => testApp?.close());

  const call = (api: Api, method: string, path: string, params: Record<string, string>) => {
    // A governance record's {id} is the fixture's record of that collection, not the line.
    const collection = /^\/api\/v1\/organisations\/\{orgId\}\/([a-z-]+)\/\{id\}/.exec(path)?.[1];
    let values = collection && params[collection] ? { ...params, id: params[collection] } : params;
    if (method === 'DELETE' && path.endsWith('/users/{userId}')) values = { ...values, userId: params.removableUserId! };
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? 'missing');
    switch (method) {
      case 'GET':
        return api.get(url);
      case 'PATCH':
        return api.patch(url, {});
      case 'PUT':
        return api.put(url, {});
      case 'DELETE':
        return api.delete(url);
      default:
        return api.post(url, {});
    }
  };

  it('has a rule for every /api route in the OpenAPI document', () => {
    const apiRoutes = routes.filter((r) => r.path.startsWith('/api/'));
    expect(apiRoutes.length).toBeGreaterThan(20);
    const missing = apiRoutes.map((r) => r.key).filter((key) => !(key in RULES));
    expect(missing, 'routes with no access rule in this test').toEqual([]);
  });

  it('answers 401 without a token, and with an unknown one', async () => {
    for (const route of routes.filter((r) => r.path.startsWith('/api/'))) {
      const anonymous = await call(apiAs(testApp.app, null), route.method, route.path, own.params);
      expect(anonymous.status, route.key).toBe(401);
      expect(anonymous.body.type, route.key).toMatch(/\/problems\/unauthorized$/);
      const forged = await call(apiAs(testApp.app, 'rf_not-a-real-token'), route.method, route.path, own.params);
      expect(forged.status, route.key).toBe(401);
    }
  });

  it("gives every role of another organisation 404 on this organisation's records", async () => {
    // Platform routes belong to no organisation: every member is refused them (403, below).
    for (const route of routes.filter((r) => r.path.startsWith('/api/') && r.path.includes('{') && RULES[r.key] !== 'platform')) {
      for (const role of MEMBER_ROLES) {
        const response = await call(other.organisation.as[role], route.method, route.path, own.params);
        expect(response.status, `${role} of another council: ${route.key}`).toBe(404);
      }
    }
  });

  it('refuses each role of this organisation exactly the routes above its rights', async () => {
    for (const route of routes.filter((r) => r.path.startsWith('/api/'))) {
      const rule = RULES[route.key]!;
      for (const role of MEMBER_ROLES) {
        const response = await call(own.organisation.as[role], route.method, route.path, own.params);
        let allowed: boolean;
        if (rule === 'signed-in') allowed = true;
        else if (rule === 'platform') allowed = false;
        else if (rule === 'tokens') allowed = role === 'finance' || role === 'admin';
        else allowed = RANK[role] >= RANK[rule];
        if (allowed) {
          expect(DENIED, `${role}: ${route.key} gave ${response.status} ${JSON.stringify(response.body)}`).not.toContain(response.status);
        } else {
          expect(response.status, `${role}: ${route.key}`).toBe(403);
          expect(response.body.type).toMatch(/\/problems\/forbidden$/);
        }
      }
    }
  });

  it("lets a platform administrator reach any organisation's records", async () => {
    const platform = apiAs(testApp.app, testApp.adminToken);
    for (const route of routes.filter((r) => r.path.startsWith('/api/') && r.method === 'GET')) {
      const response = await call(platform, route.method, route.path, other.params);
      expect(DENIED, `${route.key} gave ${response.status}`).not.toContain(response.status);
    }
  });

  it('shows a member only their own organisations in lists', async () => {
    const list = await own.organisation.as.reader.get('/api/v1/organisations');
    expect(list.body.items.map((o: { id: string }) => o.id)).toEqual([own.organisation.id]);
    const grants = await own.organisation.as.reader.get(`/api/v1/organisations/${own.organisation.id}/grants`);
    expect(grants.body.items.map((g: { organisationId: string }) => g.organisationId)).toEqual([own.organisation.id]);
  });

  it('answers 404, not 400, for a malformed id', async () => {
    const response = await own.organisation.as.reader.get('/api/v1/grants/not-a-uuid/summary');
    expect(response.status).toBe(404);
  });
});
