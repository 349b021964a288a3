import { describe, expect, it } from 'vitest';
import { WORKED_EXAMPLE_TRANCHES } from '../../src/demo/worked-example.ts';
import { csvOf } from '../imports/support.ts';
import { createGrant, createLine } from '../support/factories.ts';
import { checkPage, errorSummary, signIn, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';

/**
 * A finance officer uploads next quarter's revised table in the browser, reads what it would
 * amend, add and withdraw, and saves it; every page is checked with axe-core.
 */
describe('a revised table, imported in the browser', () => {
  const suite = browserSuite('Revising Borough Council');

  it('previews the amendments before → after, new, unchanged and withdrawn lines, and saves them', async () => {
    const { page } = suite.browser;
    const finance = suite.organisation.as.finance;
    const grant = await createGrant(suite.organisation, [...WORKED_EXAMPLE_TRANCHES]);
    const hubs = await createLine(finance, grant.id, { title: 'Family hubs', category: 'family_help_delivery', amount: '10000.00' });
    await createLine(finance, grant.id, { title: 'Parent panel', category: 'family_voice', amount: '500.00' });
    const pilot = await createLine(finance, grant.id, { title: 'Old pilot', category: 'transformation', amount: '2000.00' });
    const csv = csvOf([
      ['Ref', 'Title', 'Category', 'Amount'],
      ['1', 'Family hubs', 'Direct delivery of Family Help', '12,500'],
      ['2', 'Parent panel', 'Children and family voice', '500'],
      ['', 'Young carers', 'Children and family voice', 'tbc'],
    ]);

    await signIn(page, suite.people.finance);
    await page.goto(`/grants/${grant.id}/imports/new`);
    await checkPage(page, 'import-revised-upload');
    await page.setInputFiles('#file', { name: 'revised.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });

    // Withdrawing without saying the table is a revision is refused on the form, naming the box.
    await page.check('#withdrawMissing');
    await page.click('button:has-text("Upload and preview")');
    expect(await errorSummary(page)).toEqual(['Withdrawing lines missing from the file applies only to a revised table (mode=update)']);
    expect(await page.isChecked('#withdrawMissing')).toBe(true);
    await checkPage(page, 'import-revised-refused');

    await page.setInputFiles('#file', { name: 'revised.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.check('#mode');
    await Promise.all([page.waitForURL(/\/imports\/[0-9a-f-]{36}$/), page.click('button:has-text("Upload and preview")')]);
    expect(await page.locator('[data-testid="amendments"] tbody tr').allInnerTexts()).toEqual([
      expect.stringMatching(/^2\s+1\s+Family hubs\s+Amount: £10,000\.00\s*→\s*becomes\s*£12,500\.00$/),
    ]);
    expect(await textOf(page.locator('[data-testid="lines"] tbody'))).toMatch(/Young carers\s+family_voice\s+tbc/);
    expect(await textOf(page.locator('[data-testid="withdrawals"] tbody'))).toMatch(/^3\s+Old pilot\s+£2,000\.00$/);
    await page.click('summary:has-text("1 line unchanged")');
    expect(await textOf(page.locator('[data-testid="unchanged"] tbody'))).toMatch(/Parent panel/);
    await checkPage(page, 'import-revised-preview');

    await Promise.all([page.waitForURL(`**/grants/${grant.id}/commitments`), page.click('button:has-text("Save the revision: 1 amended, 1 new, 1 withdrawn")')]);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Revised table saved: 1 amended, 1 new, 1 withdrawn');
    await checkPage(page, 'import-revised-saved');
    expect((await finance.get(`/api/v1/commitments/${hubs.id}`)).body).toMatchObject({ amount: '12500.00', version: 2 });
    expect((await finance.get(`/api/v1/commitments/${pilot.id}`)).body.status).toBe('withdrawn');
  });
});
