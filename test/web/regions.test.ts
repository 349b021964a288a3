import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { financialYearOf, todayInLondon } from '../../src/shared/calendar.ts';
import { createGrant, createLine, createOrganisation } from '../support/factories.ts';
import { checkPage, signIn, signOut, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';
import { withPassword } from './support/web-app.ts';

// The pages read today's position, so the grants are this year's.
const YEAR = financialYearOf(todayInLondon(new Date()));

describe('regions and sharing in the browser', () => {
  const suite = browserSuite('Sharing Council');

  it('shares from the settings page, shows the council its benchmark, gives the region its overview and takes the council out at once when it stops', async () => {
    const { page } = suite.browser;
    const region = await createOrganisation(suite.web, 'North Region', 'region');
    const regionReader = await withPassword(suite.web, region, 'reader');
    const grant = await createGrant(suite.organisation, [{ amount: '1000.00', description: 'Prevention Grant', status: 'confirmed' }], YEAR);
    await createLine(suite.organisation.as.finance, grant.id, { title: 'Secret line', category: 'family_help_delivery', amount: '400.00', status: 'approved' });
    // Four more councils share through the API: five in all, enough for a benchmark.
    for (const [i, committed] of ['100.00', '200.00', '300.00', '500.00'].entries()) {
      const council = await createOrganisation(suite.web, `Other Council ${i + 1}`);
      const theirs = await createGrant(council, [{ amount: '1000.00', description: 'Prevention Grant', status: 'confirmed' }], YEAR);
      await createLine(council.as.finance, theirs.id, { title: 'Their line', category: 'family_help_delivery', amount: committed, status: 'approved' });
      expect((await council.as.admin.post(`/api/v1/organisations/${council.id}/sharing`, { withOrganisationId: region.id })).status).toBe(201);
    }

    // The council's admin shares from the settings page.
    await signIn(page, suite.people.admin);
    await page.goto(`/organisations/${suite.organisation.id}/admin`);
    await Promise.all([page.waitForURL('**/admin/sharing'), page.click('a:has-text("Sharing your figures")')]);
    expect(await page.locator('[data-testid="no-shares"]').count()).toBe(1);
    await page.click('button:has-text("Share")');
    expect(await textOf(page.locator('.govuk-error-summary'))).toContain('Choose a region or national body');
    await checkPage(page, 'sharing-refused');
    await page.selectOption('#withOrganisationId', region.id);
    await Promise.all([page.waitForURL('**/admin/sharing'), page.click('button:has-text("Share")')]);
    expect(await textOf(page.locator('[data-testid="shares"]'))).toContain('North Region');
    await checkPage(page, 'sharing-shared');
    await signOut(page);

    // Its dashboard sets its own figures beside the quartiles of the five, naming none.
    await signIn(page, suite.people.reader);
    await page.goto(`/grants/${grant.id}`);
    const panel = page.locator('[data-testid="benchmarks"]');
    expect(await panel.locator('[data-figure="committedShare"]').innerText()).toBe('40%');
    // Committed shares 10%, 20%, 30%, 40%, 50%: quartiles 20%, 30%, 40%.
    expect(await panel.locator('tbody tr').first().innerText()).toMatch(/Committed share\s+40%\s+20%\s+30%\s+40%/);
    expect(await panel.innerText()).not.toContain('Other Council');
    await checkPage(page, 'grant-benchmarks');
    await signOut(page);

    // The region's reader sees the five, sorts them, reads the chart and downloads the rows.
    await signIn(page, regionReader);
    await page.goto(`/organisations/${region.id}`);
    await Promise.all([page.waitForURL(`**/organisations/${region.id}/overview`), page.click('a:has-text("Overview of the councils sharing")')]);
    const table = page.locator('[data-testid="overview"]');
    expect(await table.locator('tbody tr').count()).toBe(5);
    expect(await page.locator('[data-testid="share-chart"] svg[role="img"]').getAttribute('aria-label')).toContain('committed share');
    await Promise.all([page.waitForURL(/sort=committedShare/), page.click('th a:has-text("Committed")')]);
    expect(await table.locator('tbody tr [data-figure="committedShare"]').allInnerTexts()).toEqual(['10%', '20%', '30%', '40%', '50%']);
    expect(await table.locator('th[aria-sort="ascending"]').innerText()).toContain('Committed');
    expect(await page.content()).not.toContain('Secret line');
    await checkPage(page, 'region-overview');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Download as CSV")')]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(6);
    // A sort key that names something every object inherits is not a column: the page sorts by name.
    for (const sort of ['__proto__', 'constructor', 'toString']) {
      const response = await page.goto(`/organisations/${region.id}/overview?sort=${sort}&order=desc`);
      expect(response?.status(), sort).toBe(200);
      expect(await table.locator('tbody tr').count()).toBe(5);
    }
    await signOut(page);

    // The council stops sharing: gone from the region's next overview.
    await signIn(page, suite.people.admin);
    await page.goto(`/organisations/${suite.organisation.id}/admin/sharing`);
    await Promise.all([page.waitForURL('**/admin/sharing'), page.click('button:has-text("Stop sharing")')]);
    expect(await page.locator('[data-testid="no-shares"]').count()).toBe(1);
    await signOut(page);
    await signIn(page, regionReader);
    await page.goto(`/organisations/${region.id}/overview`);
    expect(await page.locator('[data-testid="overview"] tbody tr').count()).toBe(4);
    expect(await textOf(page.locator('[data-testid="overview"]'))).not.toContain('Sharing Council');
    await signOut(page);
  });
});
