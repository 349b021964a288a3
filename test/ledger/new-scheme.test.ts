import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upload } from '../imports/support.ts';
import { apiAs, startTestApp, type TestApp } from '../support/app.ts';
import { createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { FormClient } from '../web/support/forms.ts';
import { withPassword } from '../web/support/web-app.ts';

/**
 * A scheme entered as data, never named in code: Holiday Activities and Food, where at most 15%
 * may go on places for children not on free school meals. Its cap must bite and every report
 * and import must serve it as they serve the Prevention Grant.
 */
const HOLIDAY_ACTIVITIES = {
  code: 'holiday-activities-food',
  name: 'Holiday Activities and Food programme',
  versions: [
    {
      financialYear: '2025-26',
      headings: [
        { code: 'provision', label: 'Holiday provision' },
        { code: 'coordination', label: 'Coordination' },
      ],
      categories: [
        { code: 'fsm_places', name: 'Places for children on free school meals', heading: 'provision', plannedShare: '0.8000', maxShare: null },
        { code: 'non_fsm_places', name: 'Places for children not on free school meals', heading: 'provision', plannedShare: '0.1000', maxShare: '0.1500' },
        { code: 'coordination', name: 'Coordination and administration', heading: 'coordination', plannedShare: '0.1000', maxShare: null },
      ],
      determinations: [{ ref: '31/9999', title: 'Holiday Activities and Food 2025-26', purpose: 'base' }],
      returnDueDates: [{ return: 'dfe-quarterly', period: 'Q2', dueOn: '2025-10-31' }],
    },
  ],
};

describe('a new scheme defined as data works end to end', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp, 'Holiday Council');
    const created = await apiAs(testApp.app, testApp.adminToken).post('/api/v1/schemes', HOLIDAY_ACTIVITIES);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const grant = await council.as.finance.post(`/api/v1/organisations/${council.id}/grants`, {
      scheme: HOLIDAY_ACTIVITIES.code,
      financialYear: '2026-27',
      tranches: [{ amount: '100000.00', description: 'HAF allocation', status: 'confirmed', determinationRef: '31/9999' }],
    });
    expect(grant.status, JSON.stringify(grant.body)).toBe(201);
    // 2026-27 has no version of its own: the nearest earlier one (2025-26) applies.
    expect(grant.body).toMatchObject({ schemeVersion: '2025-26', base: '100000.00' });
    grantId = grant.body.id;
    await createLine(council.as.finance, grantId, { title: 'Summer clubs', category: 'fsm_places', amount: '70000.00', status: 'approved', committedOn: '2026-05-01' });
    const places = await createLine(council.as.finance, grantId, {
      title: 'Paid places',
      category: 'non_fsm_places',
      amount: '14000.00',
      status: 'approved',
      committedOn: '2026-05-01',
    });
    const spend = await council.as.finance.post(`/api/v1/commitments/${places.id}/spend`, { amount: '600.00', spentOn: '2026-08-14', reference: 'INV-1', supplier: 'Play Ltd' });
    expect(spend.status).toBe(201);
  });
  afterAll(() => testApp?.close());

  it('caps the category at 15% and says so', async () => {
    const tooMuch = await council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, { title: 'More places', category: 'non_fsm_places', amount: '1000.01' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body).toMatchObject({ category: 'non_fsm_places', maxShare: '0.1500', cap: '15000.00', headroom: '1000.00' });
    const summary = await council.as.reader.get(`/api/v1/grants/${grantId}/summary`);
    expect(summary.body.headings.map((h: { label: string }) => h.label)).toEqual(['Holiday provision', 'Coordination']);
    expect(summary.body.categories.find((c: { code: string }) => c.code === 'non_fsm_places')).toMatchObject({ cap: '15000.00', headroom: '1000.00', planned: '10000.00' });
    expect(summary.body.warnings.map((w: { code: string }) => w.code)).toContain('near-cap');
  });

  it('serves every report', async () => {
    const table = await council.as.reader.get(`/api/v1/grants/${grantId}/reports/cabinet-table`);
    expect(table.status).toBe(200);
    const provision = table.body.groups.find((g: { label: string }) => g.label === 'Holiday provision');
    expect(provision.subtotal).toBe('84000.00');
    expect(table.body.total).toBe('84000.00');
    for (const format of ['csv', 'md', 'html', 'xlsx', 'docx']) {
      expect((await council.as.reader.get(`/api/v1/grants/${grantId}/reports/cabinet-table?format=${format}`)).status, format).toBe(200);
    }
    const dfe = await council.as.reader.get(`/api/v1/grants/${grantId}/reports/dfe-return?quarter=Q2`);
    expect(dfe.status).toBe(200);
    expect(dfe.body.headings.map((h: { label: string }) => h.label)).toEqual(['Holiday provision', 'Coordination']);
    expect(dfe.body).toMatchObject({ transformationShare: '0.1400', transformationMaxShare: '0.1500' });
    expect((await council.as.reader.get(`/api/v1/grants/${grantId}/reports/dfe-return?quarter=Q2&format=xlsx`)).status).toBe(200);
    const transparency = await council.as.reader.get(`/api/v1/grants/${grantId}/reports/spending-over-500`);
    expect(transparency.status).toBe(200);
    expect(String(transparency.body)).toContain('Play Ltd');
  });

  it("shows its categories and cap on the grant's dashboard and commitments pages", async () => {
    const browser = new FormClient(testApp.app);
    expect((await browser.signIn(await withPassword(testApp, council, 'reader'))).statusCode).toBe(303);
    const dashboard = await browser.get(`/grants/${grantId}`);
    expect(dashboard.statusCode).toBe(200);
    for (const text of ['Holiday Activities and Food programme 2026-27', 'Places for children not on free school meals', '£15,000.00', '£14,000.00']) {
      expect(dashboard.body, text).toContain(text);
    }
    const lines = await browser.get(`/grants/${grantId}/commitments?category=non_fsm_places`);
    expect(lines.statusCode).toBe(200);
    expect(lines.body).toContain('Paid places');
    expect(lines.body).not.toContain('Summer clubs');
  });

  it('imports lines into its categories and forecasts its cap', async () => {
    const preview = await upload(council.as.finance, grantId, 'commitments', {
      name: 'haf.csv',
      content: 'Title,Category,Amount\r\nCoordinator,Coordination and administration,5000.00\r\nExtra places,Places for children not on free school meals,1000.01\r\n',
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(201);
    const forecast = JSON.stringify(preview.body);
    expect(forecast).toContain('non_fsm_places');
    const commit = await council.as.finance.post(`/api/v1/imports/${preview.body.id}/commit`);
    expect(commit.status).toBe(422);
  });
});
