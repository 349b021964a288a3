import pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LONG_COMMIT_ROWS } from '../../src/imports/service.ts';
import { csvOf } from '../imports/support.ts';
import { createGrant, createLine } from '../support/factories.ts';
import { checkPage, signIn, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';

/** The advisory lock this file holds to keep the commit part-way until the page has been read. */
const HOLD = 1415;
const ROWS = LONG_COMMIT_ROWS + 100;

/**
 * A ledger too large to save within the request: the commit answers with its progress page,
 * which says how far it has got, passes axe, follows the commit without script, and becomes
 * the imported page when the commit ends.
 */
describe('the import progress page, in the browser', () => {
  const suite = browserSuite('Progress Page Council');
  let page: Page;
  let holder: pg.Client;
  let grantId: string;

  beforeAll(async () => {
    page = suite.browser.page;
    const finance = suite.organisation.as.finance;
    grantId = (await createGrant(suite.organisation, [{ amount: '1000000.00', description: 'Grant', status: 'confirmed' }])).id;
    const line = await createLine(finance, grantId, { title: 'Family hubs', category: 'family_help_delivery', amount: '500000.00' });
    expect((await finance.post(`/api/v1/grants/${grantId}/cost-centres`, { code: 'CC1', commitmentId: line.id })).status).toBe(200);
    // Every spend insert into this grant waits for the lock the test holds, inside the commit's transaction.
    holder = new pg.Client({ connectionString: suite.web.database.url });
    await holder.connect();
    await holder.query(`
      CREATE FUNCTION test_hold_spend() RETURNS trigger LANGUAGE plpgsql SET lock_timeout = 0 AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM new_entries WHERE grant_id = '${grantId}') THEN PERFORM pg_advisory_xact_lock_shared(${HOLD}); END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER test_hold_spend AFTER INSERT ON spend_entries REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION test_hold_spend();`);
    await holder.query('SELECT pg_advisory_lock($1)', [HOLD]);
    await signIn(page, suite.people.finance);
  });
  afterAll(async () => {
    await holder?.end();
  });

  it('shows the progress of a long commit, passes axe, and turns into the imported page when it ends', async () => {
    const rows: string[][] = [['Date', 'Transaction Number', 'Cost Centre', 'Amount']];
    for (let i = 1; i <= ROWS; i++) rows.push([`2025-${String(4 + (i % 9)).padStart(2, '0')}-15`, `PR-${i}`, 'CC1', '1.00']);
    await page.goto(`/grants/${grantId}/imports/new`);
    await page.check('input[name="kind"][value="spend"]');
    await page.setInputFiles('#file', { name: 'ledger.csv', mimeType: 'text/csv', buffer: Buffer.from(csvOf(rows)) });
    await Promise.all([page.waitForURL(/\/imports\/[0-9a-f-]{36}$/), page.click('button:has-text("Upload and preview")')]);
    const importUrl = page.url();

    await Promise.all([page.waitForURL(importUrl), page.click(`button:has-text("Save ${ROWS} payments")`)]);
    const progress = page.locator('[data-testid="import-progress"]');
    expect(await textOf(page.locator('h1'))).toBe(`Saving ${ROWS} payments`);
    expect(await progress.getAttribute('role')).toBe('progressbar');
    expect(await progress.getAttribute('aria-valuemax')).toBe(String(ROWS));
    expect(await progress.getAttribute('aria-valuenow')).toBe('0');
    expect(await progress.getAttribute('aria-valuetext')).toBe(`0 of ${ROWS} payments written`);
    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('5');
    // axe on a loaded machine can outlast the five seconds before the page reloads itself, so
    // the same page is checked once more as served, less its refresh.
    await page.route(importUrl, async (route) => {
      const served = await route.fetch();
      const body = (await served.text()).replace('<meta http-equiv="refresh" content="5">', '');
      await route.fulfill({ response: served, body });
    });
    await page.reload();
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    expect(await progress.getAttribute('aria-valuenow')).toBe('0');
    await checkPage(page, 'import-progress');
    await page.unroute(importUrl);
    await page.reload();
    // Nothing is in the ledger while the commit runs.
    expect((await suite.organisation.as.reader.get(`/api/v1/grants/${grantId}/summary`)).body.spent).toBe('0.00');

    await holder.query('SELECT pg_advisory_unlock($1)', [HOLD]);
    // The page asks again by itself (meta refresh) and shows the import as saved.
    await expect.poll(() => textOf(page.locator('h1')), { timeout: 20_000 }).toBe('Imported');
    expect(await textOf(page.locator('[data-testid="import-summary"]'))).toMatch(new RegExp(`Created\\s+${ROWS} payments, £${ROWS.toLocaleString('en-GB')}\\.00`));
    await checkPage(page, 'import-progress-done');
    expect((await suite.organisation.as.reader.get(`/api/v1/grants/${grantId}/summary`)).body.spent).toBe(`${ROWS}.00`);
  });
});
