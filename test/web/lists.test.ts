import { describe, expect, it } from 'vitest';
import { settableClock } from '../support/clock.ts';
import { createGrant, createOrganisation } from '../support/factories.ts';
import { FormClient } from './support/forms.ts';
import { screenshot } from './support/browser.ts';
import { errorSummary, signIn, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';
import { withPassword } from './support/web-app.ts';

/**
 * Lists that answer questions, sorted and filtered by plain links and forms: JavaScript is off,
 * so axe (a script in the page) cannot run here; test/web/every-page.test.ts checks these pages with it.
 */
// Each journey loads a dozen pages with axe checks; on a loaded two-core machine that passes 120 s.
const JOURNEY_TIMEOUT = 300_000;

describe('the programme lists, without JavaScript', () => {
  // 20 November 2025: the milestone due on 31 October is 20 days late.
  const suite = browserSuite('List Council', { javaScript: false, clock: settableClock('2025-11-20T12:00:00Z') });

  const column = (name: string) => suite.browser.page.locator(`[data-testid="records"] tbody td[data-column="${name}"]`).allInnerTexts();

  let workstreamId = '';

  it(
    'shows posts with their funding line, start date and cost, sorted and filtered',
    async () => {
      const { page } = suite.browser;
      const organisation = suite.organisation;
      const lead = organisation.as.programme_lead;
      const base = `/api/v1/organisations/${organisation.id}`;
      const grant = await createGrant(organisation, [{ amount: '500000.00', description: 'Prevention Grant', status: 'confirmed' }]);
      const line = await organisation.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, {
        title: 'Attendance team',
        category: 'family_help_delivery',
        amount: '100000.00',
      });
      expect(line.status).toBe(201);
      const workstream = (await lead.post(`${base}/workstreams`, { name: 'Attendance', objectives: 'Children in school' })).body;
      workstreamId = workstream.id;
      const created = await Promise.all([
        lead.post(`${base}/posts`, {
          title: 'Attendance Lead',
          headcount: 1,
          annualCost: '48000.00',
          status: 'in_post',
          startDate: '2025-10-01',
          commitmentId: line.body.id,
          workstreamId: workstream.id,
        }),
        lead.post(`${base}/posts`, { title: 'Data Analyst', headcount: 1, annualCost: '36000.00', status: 'recruiting', plannedStartDate: '2026-01-01' }),
        lead.post(`${base}/milestones`, { title: 'Needs analysis', dueOn: '2025-10-31', workstreamId: workstream.id }),
        lead.post(`${base}/milestones`, { title: 'Hub opens', dueOn: '2025-12-31' }),
        lead.post(`${base}/milestones`, { title: 'Board agreed', dueOn: '2025-11-01', status: 'complete', completedOn: '2025-11-05' }),
        lead.post(`${base}/risks`, { ref: 'R1', title: 'Partners withdraw', likelihood: 3, impact: 4 }),
        lead.post(`${base}/risks`, { ref: 'R2', title: 'Recruitment fails', likelihood: 5, impact: 5, workstreamId: workstream.id }),
        lead.post(`${base}/risks`, { ref: 'R3', title: 'Data late', likelihood: 1, impact: 2 }),
      ]);
      expect(created.map((r) => r.status)).toEqual(Array(8).fill(201));

      await signIn(page, suite.people.reader);
      await page.goto(`/organisations/${organisation.id}/programme/posts`);
      // Opened by start date; the line's year (2025-26) holds six months of the in-post lead: £24,000.
      expect(await column('title')).toEqual(['Attendance Lead', 'Data Analyst']);
      expect(await column('line')).toEqual([expect.stringMatching(/^L?1: Attendance team$/), 'None']);
      expect(await page.locator('td[data-column="line"] a').getAttribute('href')).toBe(`/commitments/${line.body.id}`);
      expect(await column('start')).toEqual(['1 October 2025', '1 January 2026 (planned)']);
      expect(await column('annualCost')).toEqual(['£48,000.00', '£36,000.00']);
      expect(await column('costThisYear')).toEqual(['£24,000.00', '–']);
      await screenshot(page, 'list-posts');

      // Sorting by a heading, then filtering with the form, keeps the sort.
      await page.click('th a:has-text("Annual cost")');
      expect(await column('title')).toEqual(['Attendance Lead', 'Data Analyst']);
      await page.click('th a:has-text("Annual cost")');
      expect(await column('title')).toEqual(['Data Analyst', 'Attendance Lead']);
      expect(await textOf(page.locator('th[aria-sort="ascending"]'))).toContain('Annual cost');
      await page.selectOption('#status', 'recruiting');
      await page.click('button:has-text("Filter posts")');
      expect(page.url()).toMatch(/sort=annualCost&order=asc&status=recruiting/);
      expect(await column('title')).toEqual(['Data Analyst']);
      await page.click('a:has-text("Show all posts")');
      expect(await column('title')).toEqual(['Data Analyst', 'Attendance Lead']);
    },
    JOURNEY_TIMEOUT,
  );

  it(
    "shows milestones with days late on the clock's day, sorted and filtered",
    async () => {
      const { page } = suite.browser;
      const organisation = suite.organisation;
      await page.goto(`/organisations/${organisation.id}/programme/milestones`);
      expect(await column('title')).toEqual(['Needs analysis', 'Board agreed', 'Hub opens']);
      expect(await column('daysLate')).toEqual(['20', '4', 'Not late']);
      await page.click('th a:has-text("Days late")');
      expect(await column('daysLate')).toEqual(['20', '4', 'Not late']);
      await page.click('th a:has-text("Days late")');
      expect(await column('daysLate')).toEqual(['Not late', '4', '20']);
      await page.selectOption('#workstreamId', workstreamId);
      await page.click('button:has-text("Filter milestones")');
      expect(await column('title')).toEqual(['Needs analysis']);
      await screenshot(page, 'list-milestones');
    },
    JOURNEY_TIMEOUT,
  );

  it(
    'shows risks highest score first, and refuses a filter no form offers',
    async () => {
      const { page } = suite.browser;
      const organisation = suite.organisation;
      await page.goto(`/organisations/${organisation.id}/programme/risks`);
      expect(await column('ref')).toEqual(['R2', 'R1', 'R3']);
      expect(await column('score')).toEqual(['25', '12', '2']);
      await page.click('th a:has-text("Reference")');
      expect(await column('ref')).toEqual(['R1', 'R2', 'R3']);
      await screenshot(page, 'list-risks');

      // A filter no form offers is refused against its box, not a 500.
      expect((await page.goto(`/organisations/${organisation.id}/programme/risks?status=nope&workstreamId=x`))?.status()).toBe(400);
      expect(await errorSummary(page)).toEqual(['Status must be one of the statuses listed', 'Workstream must be one of the workstreams listed']);
      await screenshot(page, 'list-risks-refused');
    },
    JOURNEY_TIMEOUT,
  );

  it("shows another council's reader none of these lists", async () => {
    const other = await createOrganisation(suite.web, 'Other List Council');
    const stranger = new FormClient(suite.web.app);
    expect((await stranger.signIn(await withPassword(suite.web, other, 'reader'))).statusCode).toBe(303);
    for (const path of ['posts', 'milestones', 'risks', 'secondments', 'workstreams']) {
      expect((await stranger.get(`/organisations/${suite.organisation.id}/programme/${path}?sort=title&status=planned`)).statusCode, path).toBe(404);
    }
  });
});
