import { describe, expect, it } from 'vitest';
import { financialYearOf, monthsOfFinancialYear, todayInLondon } from '../../src/shared/calendar.ts';
import { createGrant, createLine } from '../support/factories.ts';
import { FormClient } from './support/forms.ts';
import { checkPage, errorSummary, signIn, signOut, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';
import { organisationWithPeople } from './support/web-app.ts';

// The pages forecast from today, so the grant is this year's.
const YEAR = financialYearOf(todayInLondon(new Date()));
const MONTHS = monthsOfFinancialYear(YEAR);

describe('forecast pages in the browser', () => {
  const suite = browserSuite('Forecast Council');
  // One grant a year per council: the tests share this year's.
  let grant: { id: string } | undefined;
  const thisYearsGrant = async () => (grant ??= await createGrant(suite.organisation, [{ amount: '100000.00', description: 'Prevention Grant', status: 'confirmed' }], YEAR));

  it('shows a line profile from its post, saves one entered on the twelve-month grid, and refuses an amount that is not money', async () => {
    const { page } = suite.browser;
    const { finance, programme_lead } = suite.organisation.as;
    const grant = await thisYearsGrant();
    const line = await createLine(finance, grant.id, { title: 'Programme team', category: 'transformation', amount: '20000.00' });
    const post = await programme_lead.post(`/api/v1/organisations/${suite.organisation.id}/posts`, {
      title: 'Programme Lead',
      headcount: 1,
      annualCost: '36000.00',
      status: 'in_post',
      startDate: `${MONTHS[6]}-01`,
      commitmentId: line.id,
    });
    expect(post.status).toBe(201);

    await signIn(page, suite.people.finance);
    await page.goto(`/commitments/${line.id}`);
    expect(await textOf(page.locator('[data-testid="profile-source"]'))).toContain('From the posts and secondments');
    expect(await page.locator('[data-testid="profile-grid"] .govuk-hint').allInnerTexts()).toEqual([...Array(6).fill('Now £0.00'), ...Array(6).fill('Now £3,000.00')]);
    await checkPage(page, 'line-profile-grid');

    await page.fill(`#month-${MONTHS[1]}`, '1,250.50');
    await page.fill(`#month-${MONTHS[2]}`, '12.345');
    await page.click('button:has-text("Save profile")');
    expect(await errorSummary(page)).toEqual([expect.stringContaining('at most two decimals')]);
    expect(await page.inputValue(`#month-${MONTHS[2]}`)).toBe('12.345');
    await checkPage(page, 'line-profile-refused');
    expect((await finance.get(`/api/v1/commitments/${line.id}/profile`)).body.source).toBe('posts');

    await page.fill(`#month-${MONTHS[2]}`, '500');
    await Promise.all([page.waitForURL(`**/commitments/${line.id}#profile`), page.click('button:has-text("Save profile")')]);
    expect(await textOf(page.locator('[data-testid="profile-source"]'))).toContain('Entered by month');
    expect(await page.inputValue(`#month-${MONTHS[1]}`)).toBe('1250.50');
    const saved = (await finance.get(`/api/v1/commitments/${line.id}/profile`)).body;
    expect(saved.source).toBe('entered');
    expect(saved.months.slice(1, 3).map((m: { amount: string }) => m.amount)).toEqual(['1250.50', '500.00']);
    await signOut(page);
  });

  it('draws the forecast chart and its tables, from the same figures as the API', async () => {
    const { page } = suite.browser;
    const { finance } = suite.organisation.as;
    const grant = await thisYearsGrant();
    await createLine(finance, grant.id, { title: 'Family hubs', category: 'family_help_delivery', amount: '12000.00' });
    const api = (await finance.get(`/api/v1/grants/${grant.id}/forecast`)).body;

    await signIn(page, suite.people.reader);
    await page.goto(`/grants/${grant.id}`);
    await Promise.all([page.waitForURL(`**/grants/${grant.id}/forecast`), page.click('a:has-text("Forecast outturn")')]);
    const chart = page.locator('[data-testid="forecast-chart"] svg[role="img"]');
    expect(await chart.getAttribute('aria-label')).toContain('actual spend by month');
    expect(await page.locator('[data-testid="forecast-months"] tbody tr').count()).toBe(12);
    const totals = await textOf(page.locator('[data-testid="forecast-totals"]'));
    expect(totals).toContain(`£${Number(api.forecastOutturn).toLocaleString('en-GB', { minimumFractionDigits: 2 })}`);
    expect(await page.locator('[data-testid="forecast-warnings"] [data-warning="forecast-underspend"]').count()).toBe(1);
    expect(await page.locator('[data-testid="forecast-categories"] tbody tr').count()).toBe(api.categories.length);
    await checkPage(page, 'grant-forecast');
    // A reader sees the profile, not the grid.
    await page.click('[data-testid="forecast-lines"] a');
    expect(await page.locator('[data-testid="profile-grid"]').count()).toBe(0);
    expect(await page.locator('[data-testid="profile"] tbody tr').count()).toBe(12);
    await signOut(page);
  });

  it("refuses a reader's profile post (403) and hides another council's pages (404)", async () => {
    const grant = await thisYearsGrant();
    const line = await createLine(suite.organisation.as.finance, grant.id, { title: 'Hub', category: 'family_help_delivery', amount: '100.00' });
    const reader = new FormClient(suite.web.app);
    await reader.signIn(suite.people.reader);
    const refused = await reader.post(`/commitments/${line.id}/profile`, { [`month-${MONTHS[0]}`]: '5.00' }, { from: `/grants/${grant.id}` });
    expect(refused.statusCode).toBe(403);
    expect((await suite.organisation.as.finance.get(`/api/v1/commitments/${line.id}/profile`)).body.source).toBe('even');

    const other = await organisationWithPeople(suite.web, 'Other Forecast Council');
    const stranger = new FormClient(suite.web.app);
    await stranger.signIn(other.people.finance);
    expect((await stranger.get(`/grants/${grant.id}/forecast`)).statusCode).toBe(404);
    expect((await stranger.get(`/commitments/${line.id}`)).statusCode).toBe(404);
    const foreign = await stranger.post(`/commitments/${line.id}/profile`, { [`month-${MONTHS[0]}`]: '5.00' }, { from: '/organisations' });
    expect(foreign.statusCode).toBe(404);
  });
});
