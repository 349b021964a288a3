import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type Api, startTestApp, type TestApp } from '../support/app.ts';
import { settableClock } from '../support/clock.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

/**
 * Regions and consented sharing (src/regions): a council shares its headline figures with a
 * region or national body and revokes at once; the body's overview holds exactly the councils
 * sharing with it now, figures equal to each council's own summary and forecast; benchmarks
 * appear only for a council that shares and only when five do; nothing else crosses.
 */
describe('regions and consented sharing', () => {
  let testApp: TestApp;
  let platform: Api;
  let region: TestOrganisation;
  let national: TestOrganisation;
  const councils: { org: TestOrganisation; grantId: string }[] = [];

  // Allocations and committed amounts chosen so every quartile is checkable by hand.
  const PLANS = [
    { name: 'Alpha Council', allocation: '1000.00', lines: ['100.00', '150.00'], spend: '50.00', transformation: '100.00' },
    { name: 'Bravo Council', allocation: '2000.00', lines: ['500.00'], spend: '100.00', transformation: '0.00' },
    { name: 'Charlie Council', allocation: '4000.00', lines: ['1000.00', '1000.00'], spend: '400.00', transformation: '600.00' },
    { name: 'Delta Council', allocation: '1000.00', lines: ['800.00'], spend: '0.00', transformation: '0.00' },
    { name: 'Echo Council', allocation: '3000.00', lines: ['300.00'], spend: '30.00', transformation: '300.00' },
    { name: 'Foxtrot Council', allocation: '5000.00', lines: ['50.00'], spend: '0.00', transformation: '0.00' },
  ];

  beforeAll(async () => {
    testApp = await startTestApp({ clock: settableClock('2025-11-15T12:00:00Z') });
    platform = apiAs(testApp.app, testApp.adminToken);
    region = await createOrganisation(testApp, 'North West Region', 'region');
    national = await createOrganisation(testApp, 'DfE National', 'national');
    for (const plan of PLANS) {
      const org = await createOrganisation(testApp, plan.name);
      const grant = await createGrant(org, [{ amount: plan.allocation, description: 'Prevention Grant', status: 'confirmed' }]);
      let first: string | null = null;
      for (const [i, amount] of plan.lines.entries()) {
        const line = await createLine(org.as.finance, grant.id, { title: `Secret line ${plan.name} ${i}`, category: 'family_help_delivery', amount, status: 'approved' });
        first ??= line.id;
      }
      if (plan.transformation !== '0.00') {
        await createLine(org.as.finance, grant.id, { title: `Secret team ${plan.name}`, category: 'transformation', amount: plan.transformation, status: 'approved' });
      }
      if (plan.spend !== '0.00') {
        const spend = await org.as.finance.post(`/api/v1/commitments/${first}/spend`, { amount: plan.spend, spentOn: '2025-06-10', description: 'Payee Jane Doe' });
        expect(spend.status, JSON.stringify(spend.body)).toBe(201);
      }
      councils.push({ org, grantId: grant.id });
    }
  });
  afterAll(() => testApp?.close());

  const share = (c: TestOrganisation, withId: string) => c.as.admin.post(`/api/v1/organisations/${c.id}/sharing`, { withOrganisationId: withId });
  const revoke = (c: TestOrganisation, withId: string) => c.as.admin.delete(`/api/v1/organisations/${c.id}/sharing/${withId}`);
  const overview = (query = 'financialYear=2025-26') => region.as.reader.get(`/api/v1/organisations/${region.id}/overview?${query}`);
  const names = (body: { items: { organisation: { name: string } }[] }) => body.items.map((i) => i.organisation.name);

  it('shares only with a region or national body, at once, audited in both; refuses everything else revealing nothing', async () => {
    const [alpha, bravo] = [councils[0]!.org, councils[1]!.org];
    const toCouncil = await share(alpha, bravo.id);
    const toNothing = await share(alpha, '00000000-0000-4000-8000-000000000000');
    expect(toCouncil.status).toBe(422);
    expect(toNothing.status).toBe(422);
    expect(toCouncil.body.detail).toBe(toNothing.body.detail);
    expect(toCouncil.body.detail).toContain('withOrganisationId');
    expect((await alpha.as.admin.post(`/api/v1/organisations/${alpha.id}/sharing`, { withOrganisationId: 'nope' })).status).toBe(400);
    expect((await alpha.as.finance.post(`/api/v1/organisations/${alpha.id}/sharing`, { withOrganisationId: region.id })).status).toBe(403);
    // A region shares nothing of its own.
    expect((await share(region, national.id)).status).toBe(422);
    expect((await revoke(alpha, region.id)).status).toBe(404);

    const created = await share(alpha, region.id);
    expect(created.status).toBe(201);
    expect(created.body.withOrganisation).toMatchObject({ id: region.id, kind: 'region' });
    expect((await share(alpha, region.id)).status).toBe(200);
    const listed = await alpha.as.reader.get(`/api/v1/organisations/${alpha.id}/sharing`);
    expect(listed.body.items.map((s: { withOrganisation: { id: string } }) => s.withOrganisation.id)).toEqual([region.id]);
    expect(listed.body.bodies.map((b: { id: string }) => b.id).sort()).toEqual([region.id, national.id].sort());

    for (const org of [alpha, region]) {
      const audit = await platform.get(`/api/v1/organisations/${org.id}/audit?entity=sharing`);
      expect(audit.body.items.map((r: { action: string }) => r.action)).toEqual(['share']);
    }
  });

  it('shows exactly the councils sharing now: a revoked share disappears from the next overview, a renewed one returns', async () => {
    const [alpha, bravo, charlie] = councils.map((c) => c.org);
    expect((await share(bravo!, region.id)).status).toBe(201);
    expect((await share(charlie!, region.id)).status).toBe(201);
    expect(names((await overview()).body)).toEqual(['Alpha Council', 'Bravo Council', 'Charlie Council']);

    expect((await revoke(bravo!, region.id)).status).toBe(204);
    expect(names((await overview()).body)).toEqual(['Alpha Council', 'Charlie Council']);
    expect((await revoke(charlie!, region.id)).status).toBe(204);
    expect(names((await overview()).body)).toEqual(['Alpha Council']);
    expect((await share(bravo!, region.id)).status).toBe(201);
    expect((await share(charlie!, region.id)).status).toBe(201);
    const now = await overview();
    expect(now.status).toBe(200);
    expect(names(now.body)).toEqual(['Alpha Council', 'Bravo Council', 'Charlie Council']);
    expect(alpha).toBeDefined();

    for (const org of [bravo!, region]) {
      const audit = await platform.get(`/api/v1/organisations/${org.id}/audit?entity=sharing`);
      const actions = audit.body.items.map((r: { action: string }) => r.action);
      expect(actions.filter((a: string) => a === 'revoke')).toHaveLength(org === region ? 2 : 1);
    }
  });

  it("gives each council's own figures, equal to its summary and forecast, and the quartiles; nothing of a line, payee or person", async () => {
    const { body } = await overview();
    expect(body.organisation).toMatchObject({ id: region.id, kind: 'region' });
    expect(body.scheme.code).toBe('csc-prevention');
    for (const item of body.items) {
      const { org, grantId } = councils.find((c) => c.org.id === item.organisation.id)!;
      const summary = (await org.as.reader.get(`/api/v1/grants/${grantId}/summary`)).body;
      const forecast = (await org.as.reader.get(`/api/v1/grants/${grantId}/forecast`)).body;
      const dfe = (await org.as.reader.get(`/api/v1/grants/${grantId}/reports/dfe-return?quarter=Q3&format=json`)).body;
      expect(item).toMatchObject({
        allocation: summary.allocation,
        committed: summary.committed,
        spent: summary.spent,
        forecastOutturn: forecast.forecastOutturn,
        variance: forecast.variance,
        transformationShare: dfe.transformationShare,
        // DfE Q1 and Q2 and transparency Q1 and Q2 have fallen due by 15 November and none is submitted.
        overdueReturns: 4,
      });
      // The same count as the council's own returns calendar shows.
      const calendar = (await org.as.reader.get(`/api/v1/organisations/${org.id}/returns`)).body;
      const overdue = calendar.items.filter(
        (r: { status: string; grantId?: string; financialYear: string }) => r.status === 'overdue' && (r.grantId ?? grantId) === grantId && r.financialYear === '2025-26',
      );
      expect(overdue).toHaveLength(item.overdueReturns);
    }
    // Alpha 350/1000, Bravo 500/2000, Charlie 2600/4000.
    expect(body.items.map((i: { committedShare: string }) => i.committedShare)).toEqual(['0.3500', '0.2500', '0.6500']);
    // QUARTILE.INC({0.25, 0.35, 0.65}) = 0.30, 0.35, 0.50; of allocations {1000, 2000, 4000}: 1500, 2000, 3000.
    expect(body.benchmarks.committedShare).toEqual({ q1: '0.3000', median: '0.3500', q3: '0.5000', n: 3 });
    expect(body.benchmarks.allocation).toEqual({ q1: '1500.00', median: '2000.00', q3: '3000.00', n: 3 });
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/Secret|Jane Doe/);
    expect(text).not.toContain('Delta Council');

    // A change the council makes shows in the region's next overview.
    const alpha = councils[0]!;
    await createLine(alpha.org.as.finance, alpha.grantId, { title: 'Secret later line', category: 'family_voice', amount: '10.00', status: 'approved' });
    const after = await overview();
    expect(after.body.items[0].committed).toBe('360.00');
  });

  it('downloads the same rows as CSV and xlsx', async () => {
    const csv = await overview('financialYear=2025-26&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = String(csv.body).trim().split('\r\n');
    expect(rows[0]).toMatch(/^Council,Code,Allocation,Committed,Spent,Committed share/);
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(['Alpha Council', 'Bravo Council', 'Charlie Council']);
    expect(String(csv.body)).not.toContain('Secret');

    const xlsx = await testApp.app.inject({
      method: 'GET',
      url: `/api/v1/organisations/${region.id}/overview?financialYear=2025-26&format=xlsx`,
      headers: { authorization: `Bearer ${testApp.adminToken}` },
    });
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Overview')!;
    expect(sheet.getRow(2).getCell(1).value).toBe('Alpha Council');
    expect(sheet.getRow(4).getCell(3).value).toBe(4000);
    expect(workbook.getWorksheet('Quartiles')).toBeDefined();
  });

  it('keeps every council to its own figures: 404 to a region member, 422 for a council overview, no benchmark without five sharing', async () => {
    const [alpha, , , delta, echo] = councils;
    // A region's member reads no council's records, shared or not.
    expect((await region.as.reader.get(`/api/v1/grants/${alpha!.grantId}/summary`)).status).toBe(404);
    expect((await region.as.reader.get(`/api/v1/grants/${alpha!.grantId}/benchmarks`)).status).toBe(404);
    expect((await region.as.reader.get(`/api/v1/grants/${delta!.grantId}/benchmarks`)).status).toBe(404);
    // A council has no overview, and another organisation's overview is not found.
    expect((await alpha!.org.as.reader.get(`/api/v1/organisations/${alpha!.org.id}/overview?financialYear=2025-26`)).status).toBe(422);
    expect((await alpha!.org.as.reader.get(`/api/v1/organisations/${region.id}/overview?financialYear=2025-26`)).status).toBe(404);
    expect((await overview('financialYear=2025-27')).status).toBe(400);
    expect((await overview('financialYear=2025-26&scheme=nothing')).status).toBe(400);

    // Three share: too few for a benchmark, and the answer says nothing of how many.
    const few = await alpha!.org.as.reader.get(`/api/v1/grants/${alpha!.grantId}/benchmarks`);
    expect(few.body).toMatchObject({ available: false, reason: 'too-few-sharing', minimum: 5 });
    expect(few.body.benchmarks).toBeUndefined();
    expect(few.body.own.committed).toBe('360.00');

    // Delta and Echo share with the national body: five share with some body.
    expect((await share(delta!.org, national.id)).status).toBe(201);
    expect((await share(echo!.org, national.id)).status).toBe(201);
    const five = await alpha!.org.as.reader.get(`/api/v1/grants/${alpha!.grantId}/benchmarks`);
    expect(five.body.available).toBe(true);
    // Committed shares 0.3600, 0.2500, 0.6500, 0.8000, 0.2000 → QUARTILE.INC 0.25, 0.36, 0.65.
    expect(five.body.benchmarks.committedShare).toEqual({ q1: '0.2500', median: '0.3600', q3: '0.6500', n: 5 });
    expect(five.body.own.committedShare).toBe('0.3600');
    expect(JSON.stringify(five.body)).not.toMatch(/Council|Secret/);

    // Foxtrot shares with nobody and gains nothing.
    const foxtrot = councils[5]!;
    const alone = await foxtrot.org.as.reader.get(`/api/v1/grants/${foxtrot.grantId}/benchmarks`);
    expect(alone.body).toMatchObject({ available: false, reason: 'not-sharing' });

    // The national body sees only those sharing with it, not those sharing with the region.
    const nationalView = await national.as.reader.get(`/api/v1/organisations/${national.id}/overview?financialYear=2025-26`);
    expect(names(nationalView.body)).toEqual(['Delta Council', 'Echo Council']);

    // Echo revokes: four share, and the benchmark goes at once.
    expect((await revoke(echo!.org, national.id)).status).toBe(204);
    expect((await alpha!.org.as.reader.get(`/api/v1/grants/${alpha!.grantId}/benchmarks`)).body.available).toBe(false);
  });
});
