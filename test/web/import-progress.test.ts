import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrant, createLine } from '../support/factories.ts';
import { csvOf, upload } from '../imports/support.ts';
import { checkPage, signIn } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';

/** The advisory lock the test holds to keep the commit under way while the page is looked at. */
const HOLD = 1515;

/** A long commit from the page, in a browser without JavaScript: the bar, then the result, by the page's own refresh. */
describe('an import’s progress in the browser', () => {
  const suite = browserSuite('Progress Council', { javaScript: false });
  let holder: pg.Client;

  beforeAll(async () => {
    holder = new pg.Client({ connectionString: suite.web.database.url });
    await holder.connect();
  });
  afterAll(() => holder?.end());

  it('shows an accessible progress bar while a long commit runs, and the import once it is done', async () => {
    const finance = suite.organisation.as.finance;
    const grant = await createGrant(suite.organisation, [{ amount: '1000000.00', description: 'Grant', status: 'confirmed' }]);
    const line = await createLine(finance, grant.id, { title: 'Family hubs', category: 'family_help_delivery', amount: '500000.00' });
    expect((await finance.post(`/api/v1/grants/${grant.id}/cost-centres`, { code: 'EH1', commitmentId: line.id })).status).toBe(200);
    const rows = 2_500;
    const csv = csvOf([['Date', 'Transaction Number', 'Cost Centre', 'Amount'], ...Array.from({ length: rows }, (_, i) => ['2025-07-01', `PG-${i + 1}`, 'EH1', '2.00'])]);
    const preview = await upload(finance, grant.id, 'spend', { name: 'ledger.csv', content: csv });
    expect([preview.status, preview.body.canCommit]).toEqual([201, true]);

    // The commit waits after writing its payments, inside its transaction, until the test lets go.
    await holder.query(`
      CREATE FUNCTION test_hold_spend() RETURNS trigger LANGUAGE plpgsql SET lock_timeout = 0 AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM held WHERE grant_id = '${grant.id}') THEN PERFORM pg_advisory_xact_lock_shared(${HOLD}); END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER test_hold_spend AFTER INSERT ON spend_entries REFERENCING NEW TABLE AS held FOR EACH STATEMENT EXECUTE FUNCTION test_hold_spend();`);
    await holder.query('SELECT pg_advisory_lock($1)', [HOLD]);

    const { page } = suite.browser;
    await signIn(page, suite.people.finance);
    await page.goto(`/imports/${preview.body.id}`);
    await Promise.all([page.waitForURL(`**/imports/${preview.body.id}`), page.click(`button:has-text("Save ${rows} payments")`)]);
    const bar = page.locator('[role="progressbar"]');
    expect(await bar.getAttribute('aria-valuemax')).toBe(String(rows));
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(0);
    expect(await page.locator('h1').innerText()).toBe(`Saving ${rows} payments`);
    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('2');
    expect(await page.locator(`a[href="/imports/${preview.body.id}"]`).innerText()).toBe('reload it');
    await checkPage(page, 'import-progress');

    // The reader sees the same bar; a reload link works as the refresh does.
    expect((await suite.organisation.as.reader.get(`/api/v1/imports/${preview.body.id}`)).body.status).toBe('committing');

    await holder.query('SELECT pg_advisory_unlock($1)', [HOLD]);
    // No script: the page's own refresh brings the result.
    await page.waitForSelector('h1:has-text("Imported")', { timeout: 60_000 });
    expect(await page.locator('[data-testid="import-summary"]').innerText()).toContain(`${rows} payments`);
    await checkPage(page, 'import-committed');
    expect((await suite.organisation.as.reader.get(`/api/v1/imports/${preview.body.id}`)).body).toMatchObject({ status: 'committed', progress: { done: rows, total: rows } });
  });
});
