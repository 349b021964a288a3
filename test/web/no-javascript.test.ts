import { describe, expect, it } from 'vitest';
import { createGrant } from '../support/factories.ts';
import { errorSummary, signIn, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';

/** Everything works with JavaScript off: forms post and redirect, the quarter shows after submitting. */
describe('the pages without JavaScript', () => {
  const suite = browserSuite('No Script Council', { javaScript: false });

  it('adds a line, refuses a bad spend date, and records spend showing its quarter after submitting', async () => {
    const { page } = suite.browser;
    const grant = await createGrant(suite.organisation, [{ amount: '100000.00', description: 'Prevention Grant', status: 'confirmed' }]);
    await signIn(page, suite.people.finance);
    await page.goto(`/grants/${grant.id}/commitments/new`);
    await page.fill('#title', 'Kinship Virtual Hub');
    await page.check('input[name="category"][value="family_help_delivery"]');
    await page.fill('#amount', '85772');
    await page.click('button:has-text("Save line")');
    expect(page.url()).toMatch(/\/commitments$/);
    await page.click('a:has-text("Kinship Virtual Hub")');
    await page.click('a:has-text("Record spend")');
    await page.fill('#amount', '1200');
    await page.fill('#spentOn-day', '31');
    await page.fill('#spentOn-month', '2');
    await page.fill('#spentOn-year', '2026');
    await page.click('button:has-text("Record spend")');
    expect(await errorSummary(page)).toEqual(['Date spent must be a real date']);
    expect(await page.inputValue('#amount')).toBe('1200');
    await page.fill('#spentOn-day', '3');
    await page.fill('#spentOn-month', '4');
    await page.fill('#spentOn-year', '2026');
    await page.click('button:has-text("Record spend")');
    expect(await errorSummary(page)).toEqual([expect.stringMatching(/^Date spent must be within the grant's financial year/)]);
    expect(await textOf(page.locator('[data-testid="quarter"]'))).toContain("2026-27 Q1 (April to June), outside this grant's year 2025-26");
    await page.fill('#spentOn-day', '31');
    await page.fill('#spentOn-month', '3');
    await page.click('button:has-text("Record spend")');
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('31 March 2026 is in 2025-26 Q4 (January to March)');
  });
});
