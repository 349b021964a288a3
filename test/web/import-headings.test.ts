import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { WORKED_EXAMPLE_TRANCHES } from '../../src/demo/worked-example.ts';
import { createGrant } from '../support/factories.ts';
import { csvOf } from '../imports/support.ts';
import { checkPage, signIn, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';

const POT = 'Pot B – the ring-fenced element agreed with partners for this year (see the cabinet report, section 4)';

/** A council's table with one section heading Ringfence cannot match by itself. */
const TABLE = csvOf([
  ['Proposals for cabinet, November 2025'],
  ['#', 'Line', '£'],
  ['Transformation Funding (maximum of 30%) should be spent on activities to increase readiness for system change…', null, null],
  ['1', 'Programme team', '100,000'],
  [POT, null, null],
  ['2', 'Parent panel', '19,484.00'],
  [null, null, '119,484'],
]);

/**
 * A finance officer matches a section heading to a category on the preview page; the next file
 * with the same heading is read with the same choice, and the pages pass axe.
 */
describe('section headings on the import preview, in the browser', () => {
  const suite = browserSuite('Headings Page Council');
  let page: Page;
  let grantId: string;

  beforeAll(async () => {
    page = suite.browser.page;
    grantId = (await createGrant(suite.organisation, [...WORKED_EXAMPLE_TRANCHES])).id;
    await signIn(page, suite.people.finance);
  });

  async function uploadTable(name: string) {
    await page.goto(`/grants/${grantId}/imports/new`);
    await page.check('input[name="kind"][value="commitments"]');
    await page.setInputFiles('#file', { name, mimeType: 'text/csv', buffer: Buffer.from(TABLE) });
    await Promise.all([page.waitForURL(/\/imports\/[0-9a-f-]{36}$/), page.click('button:has-text("Upload and preview")')]);
  }

  it('shows the headings it read, asks for the one it could not match, and passes axe', async () => {
    await uploadTable('cabinet.csv');
    const headings = page.locator('[data-testid="headings"] tbody tr');
    await expect.poll(() => headings.count()).toBe(2);
    expect(await page.locator('#heading-3').inputValue()).toBe('transformation');
    expect(await page.locator('#heading-5').inputValue()).toBe('');
    expect(await textOf(page.locator('[data-testid="problems"]'))).toContain('was read as a section heading, but it does not say which');
    expect(await page.locator('button:has-text("Save")').isDisabled()).toBe(true);
    await checkPage(page, 'import-headings');
  });

  it('takes the category chosen for the heading and previews the lines under it', async () => {
    await page.selectOption('#heading-5', 'family_voice');
    await Promise.all([page.waitForURL(/\/imports\/[0-9a-f-]{36}$/), page.click('button:has-text("Preview again")')]);
    expect(await page.locator('#heading-5').inputValue()).toBe('family_voice');
    expect(await page.locator('[data-testid="problems"]').count()).toBe(0);
    expect(await textOf(page.locator('[data-testid="lines"]'))).toMatch(/Parent panel\s+family_voice/);
    await expect.poll(() => page.locator('button:has-text("Save 2 lines")').count()).toBe(1);
    await checkPage(page, 'import-headings-mapped');
  });

  it("reads the council's next file with the same choice", async () => {
    await uploadTable('cabinet-again.csv');
    expect(await page.locator('#heading-5').inputValue()).toBe('family_voice');
    expect(await page.locator('[data-testid="problems"]').count()).toBe(0);
  });
});
