import { describe, expect, it } from 'vitest';
import { createGrant, createLine } from '../support/factories.ts';
import { FormClient } from './support/forms.ts';
import { checkPage, errorSummary, signIn, signOut, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';

const trancheRow = (description: string) => `[data-testid="tranches"] tbody tr:has-text("${description}")`;

describe('tranche pages in the browser', () => {
  const suite = browserSuite('Tranche Council');

  it('corrects a tranche, confirms a provisional one, refuses a correction that breaks the cap, and withdraws one', async () => {
    const { page } = suite.browser;
    const finance = suite.organisation.as.finance;
    const grant = await createGrant(suite.organisation, [
      { amount: '1000.00', description: 'First payment', status: 'confirmed', determinationRef: '31/7833' },
      { amount: '500.00', description: 'Second payment', status: 'provisional' },
    ]);
    await signIn(page, suite.people.finance);
    await page.goto(`/grants/${grant.id}`);
    expect(await page.locator(trancheRow('Second payment')).innerText()).toMatch(/£500\.00\s+–\s+Base\s+provisional/);
    await checkPage(page, 'grant-tranches');

    // Correct the amount of the first tranche.
    await page.click(`${trancheRow('First payment')} a:has-text("Change")`);
    expect(await page.inputValue('#amount')).toBe('1000.00');
    expect(await page.isChecked('input[name="purpose"][value="base"]')).toBe(true);
    await checkPage(page, 'tranche-change');
    await page.fill('#amount', '1200.00');
    await page.fill('#description', 'First payment (corrected)');
    await Promise.all([page.waitForURL(`**/grants/${grant.id}`), page.click('button:has-text("Save tranche")')]);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('The allocation is now £1,700.00');
    expect(await page.locator(trancheRow('First payment (corrected)')).innerText()).toContain('£1,200.00');

    // Confirm the provisional one.
    await page.click(`${trancheRow('Second payment')} a:has-text("Change")`);
    await page.check('input[name="status"][value="confirmed"]');
    await Promise.all([page.waitForURL(`**/grants/${grant.id}`), page.click('button:has-text("Save tranche")')]);
    expect(await page.locator(trancheRow('Second payment')).innerText()).toMatch(/Base\s+confirmed/);

    // Transformation is capped at 30% of the £1,700.00 base: £510.00, all committed.
    await createLine(finance, grant.id, { title: 'Family hub', category: 'transformation', amount: '510.00' });
    await page.click(`${trancheRow('First payment (corrected)')} a:has-text("Change")`);
    await page.fill('#amount', '100.00');
    await page.click('button:has-text("Save tranche")');
    const summary = await textOf(page.locator('.govuk-error-summary'));
    expect(summary).toContain('This change to the tranche would leave Transformation over its cap');
    expect(await errorSummary(page)).toEqual([expect.stringContaining('over its cap')]);
    expect(await page.inputValue('#amount')).toBe('100.00');
    expect(await page.inputValue('#description')).toBe('First payment (corrected)');
    await checkPage(page, 'tranche-change-refused');
    const unchanged = await finance.get(`/api/v1/grants/${grant.id}`);
    expect(unchanged.body.allocation).toBe('1700.00');

    // A tranche added with a purpose of its own, then withdrawn.
    await page.goto(`/grants/${grant.id}/tranches/new`);
    await page.fill('#amount', '50.00');
    await page.fill('#description', 'Earmarked extra');
    await page.check('input[name="status"][value="confirmed"]');
    await page.check('input[name="purpose"][value="earmarked"]');
    await page.selectOption('#earmarkedCategory', 'transformation');
    await checkPage(page, 'tranche-add');
    await Promise.all([page.waitForURL(`**/grants/${grant.id}`), page.click('button:has-text("Add tranche")')]);
    expect(await page.locator(trancheRow('Earmarked extra')).innerText()).toContain('Earmarked to Transformation');

    await page.click(`${trancheRow('Earmarked extra')} a:has-text("Withdraw")`);
    await checkPage(page, 'tranche-withdraw');
    await Promise.all([page.waitForURL(`**/grants/${grant.id}`), page.click('button:has-text("Withdraw tranche")')]);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Tranche withdrawn');
    const withdrawn = page.locator(trancheRow('Earmarked extra'));
    expect(await withdrawn.innerText()).toContain('withdrawn');
    expect(await withdrawn.locator('a').count()).toBe(0);
    const after = await finance.get(`/api/v1/grants/${grant.id}`);
    expect(after.body.allocation).toBe('1700.00');
    expect(after.body.tranches.map((t: { status: string }) => t.status)).toEqual(['confirmed', 'confirmed', 'withdrawn']);
  });

  it('a form opened before someone else changed the tranche is refused with a clear message', async () => {
    const { page } = suite.browser;
    const grant = await createGrant(suite.organisation, [{ amount: '300.00', description: 'Stale payment', status: 'provisional' }], '2026-27');
    await page.goto(`/grants/${grant.id}`);
    await page.click(`${trancheRow('Stale payment')} a:has-text("Change")`);
    const tranche = (await suite.organisation.as.finance.get(`/api/v1/grants/${grant.id}`)).body.tranches[0];
    expect((await suite.organisation.as.finance.patch(`/api/v1/tranches/${tranche.id}`, { description: 'Changed meanwhile' })).status).toBe(200);
    await page.fill('#amount', '350.00');
    await page.click('button:has-text("Save tranche")');
    expect(await errorSummary(page)).toEqual([expect.stringContaining('Someone else changed this record after you opened the form')]);
    expect((await suite.organisation.as.finance.get(`/api/v1/tranches/${tranche.id}`)).body.amount).toBe('300.00');
  });

  it('a reader sees no Change or Withdraw links, and a reader’s post is refused', async () => {
    const { page } = suite.browser;
    const grant = await createGrant(suite.organisation, [{ amount: '200.00', description: 'Read-only payment', status: 'confirmed' }], '2027-28');
    const tranche = (await suite.organisation.as.finance.get(`/api/v1/grants/${grant.id}`)).body.tranches[0];
    await signOut(page);
    await signIn(page, suite.people.reader);
    await page.goto(`/grants/${grant.id}`);
    expect(await page.locator(trancheRow('Read-only payment')).innerText()).toContain('£200.00');
    expect(await page.locator('[data-testid="tranches"] a').count()).toBe(0);
    expect((await page.goto(`/tranches/${tranche.id}/edit`))?.status()).toBe(403);

    const reader = new FormClient(suite.web.app);
    await reader.signIn(suite.people.reader);
    const refused = await reader.post(`/tranches/${tranche.id}/edit`, { amount: '1.00', description: 'x', status: 'confirmed', version: '1' }, { from: `/grants/${grant.id}` });
    expect(refused.statusCode).toBe(403);
    const withdraw = await reader.post(`/tranches/${tranche.id}/withdraw`, { version: '1' }, { from: `/grants/${grant.id}` });
    expect(withdraw.statusCode).toBe(403);
    const still = await suite.organisation.as.finance.get(`/api/v1/tranches/${tranche.id}`);
    expect(still.body).toMatchObject({ amount: '200.00', status: 'confirmed', version: 1 });
  });
});
