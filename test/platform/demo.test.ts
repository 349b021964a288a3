import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../src/demo/load.ts';
import { apiAs, startTestApp, type TestApp } from '../support/app.ts';

describe('npm run demo', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp?.close());

  it('loads the worked example once, through the same rules as the API', async () => {
    const first = await loadDemo(testApp.database.handle.db);
    expect(first.created).toBe(true);
    const again = await loadDemo(testApp.database.handle.db);
    expect(again).toEqual({ ...first, created: false });
    const summary = await apiAs(testApp.app, testApp.adminToken).get(`/api/v1/grants/${first.grantId}/summary`);
    expect(summary.body).toMatchObject({ allocation: '2210000.00', committed: '1619758.00', uncommitted: '590242.00', tbcLines: 1, spent: '87930.16' });
    const verify = await apiAs(testApp.app, testApp.adminToken).get(`/api/v1/organisations/${first.organisationId}/audit/verify`);
    expect(verify.body.ok).toBe(true);
    expect(verify.body.records).toBeGreaterThan(14);
  });
});
