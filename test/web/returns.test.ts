import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createGrant, createLine } from '../support/factories.ts';
import { checkPage, errorSummary, signIn, signOut, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';

/**
 * A return walked through the pages: the dashboard flags it, finance prepares it, the figures
 * and files are checked, a programme lead signs it off, and a late invoice shows as a change.
 * The 2025-26 grant's DfE returns all fell due by 30 April 2026, so they are overdue whatever
 * day the suite runs on.
 */
describe('returns pages in the browser', () => {
  const suite = browserSuite('Returns Council');

  it('flags overdue returns, then prepares, checks and signs off a quarter, and shows what changed since', async () => {
    const { page } = suite.browser;
    const { finance } = suite.organisation.as;
    const grant = await createGrant(suite.organisation, [{ amount: '50000.00', description: 'Prevention Grant', status: 'confirmed' }], '2025-26');
    const line = await createLine(finance, grant.id, { title: 'Family help', category: 'family_help_delivery', amount: '20000.00', status: 'approved', committedOn: '2025-07-01' });
    expect((await finance.post(`/api/v1/commitments/${line.id}/spend`, { amount: '2500.00', spentOn: '2025-08-15' })).status).toBe(201);

    await signIn(page, suite.people.finance);
    await page.goto(`/organisations/${suite.organisation.id}`);
    const attention = page.locator('[data-testid="returns-attention"]');
    expect(await attention.locator('[data-return-status="overdue"]').count()).toBeGreaterThanOrEqual(4);
    await checkPage(page, 'returns-dashboard');

    await Promise.all([page.waitForURL(`**/organisations/${suite.organisation.id}/returns`), attention.locator('a:has-text("All returns")').click()]);
    const q2 = page.locator('[data-testid="returns-overdue"] tr', { hasText: '2025-26 Q2' }).filter({ hasText: 'DfE quarterly return' });
    await checkPage(page, 'returns-list');
    await Promise.all([page.waitForURL(/\/submissions\/[0-9a-f-]{36}$/), q2.locator('button:has-text("Prepare")').click()]);
    expect(await textOf(page.locator('[data-testid="submission-status"]'))).toContain('Awaiting sign-off');
    expect(await textOf(page.locator('[data-testid="submission-figures"] tbody'))).toContain('£2,500.00');
    // The preparer's role cannot sign; the page says who can.
    expect(await page.locator('textarea#statement').count()).toBe(0);
    const submissionUrl = page.url();
    const files = page.locator('[data-testid="submission-files"] li');
    expect(await files.count()).toBe(3);
    const firstFile = files.first();
    const href = (await firstFile.locator('a').getAttribute('href'))!;
    const listedHash = (await firstFile.locator('.app-hash').innerText()).replace('SHA-256 ', '').trim();
    const downloaded = await page.request.get(href);
    expect(
      createHash('sha256')
        .update(await downloaded.body())
        .digest('hex'),
    ).toBe(listedHash);
    await checkPage(page, 'submission-draft');
    await signOut(page);

    await signIn(page, suite.people.programme_lead);
    await page.goto(submissionUrl);
    await page.click('button:has-text("Sign off and submit")');
    expect(await errorSummary(page)).toEqual([expect.stringContaining('Statement')]);
    await checkPage(page, 'submission-sign-off-refused');
    await page.fill('#statement', 'I confirm these figures are a true record of the quarter.');
    await Promise.all([page.waitForURL(submissionUrl), page.click('button:has-text("Sign off and submit")')]);
    expect(await textOf(page.locator('[data-testid="submission-status"]'))).toContain('Submitted');
    expect(await page.locator('[data-testid="submission-no-changes"]').count()).toBe(1);

    // A September invoice entered after the return went in.
    expect((await finance.post(`/api/v1/commitments/${line.id}/spend`, { amount: '1234.56', spentOn: '2025-09-29' })).status).toBe(201);
    await page.reload();
    const changes = await textOf(page.locator('[data-testid="submission-changes"] tbody'));
    expect(changes).toContain('Service delivery');
    expect(changes).toContain('£1,234.56');
    await checkPage(page, 'submission-changes');

    // The lead prepares the resubmission, so someone else must sign that one off.
    await Promise.all([
      page.waitForURL((url) => /^\/submissions\/[0-9a-f-]{36}$/.test(url.pathname) && url.href !== submissionUrl),
      page.click('button:has-text("Prepare a resubmission")'),
    ]);
    expect(await textOf(page.locator('[data-testid="submission-details"]'))).toContain('Replaces');
    expect(await textOf(page.locator('[data-testid="submission-figures"] tbody'))).toContain('£3,734.56');
    expect(await page.locator('textarea#statement').count()).toBe(0);
    expect(await textOf(page.locator('.govuk-inset-text'))).toContain('someone else must sign it off');
    await signOut(page);
  });
});
