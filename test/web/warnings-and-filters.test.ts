import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/db/tables.ts';
import { Decimal, sumDecimals } from '../../src/shared/money.ts';
import { createGrant, createLine, type TestOrganisation } from '../support/factories.ts';
import { FormClient } from './support/forms.ts';
import { checkPage, signIn, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';
import { organisationWithPeople, type Person } from './support/web-app.ts';

interface Line {
  readonly id: string;
  readonly ref: string;
}

/** A shown figure ("£1,234.56") as money, to add up what the table shows. */
const pounds = (text: string): Decimal => new Decimal(text.trim().replace(/[£,]/g, ''));

/**
 * A council that has committed more than its allocation and spent past, or ahead of, some of
 * its lines: the dashboard says so and the commitments list tags, totals and filters the lines.
 */
describe('warnings on the dashboard, and the commitments list’s tags, totals and filters', () => {
  const suite = browserSuite('Warnings Council');
  let other: { organisation: TestOrganisation; people: Record<Role, Person> };
  let page: Page;
  let grantId: string;
  const lines: Record<string, Line> = {};

  beforeAll(async () => {
    page = suite.browser.page;
    other = await organisationWithPeople(suite.web, 'Other Council');
    // £10,000 of base funding and £1,000 earmarked to transformation (determination 31/7969).
    const grant = await createGrant(suite.organisation, [
      { amount: '10000.00', description: 'Prevention Grant', status: 'confirmed', determinationRef: '31/7833' },
      { amount: '1000.00', description: 'FFP transformation grant', status: 'confirmed', determinationRef: '31/7969' },
    ]);
    grantId = grant.id;
    const api = suite.organisation.as.finance;
    const add = async (key: string, line: Record<string, unknown>) => {
      lines[key] = await createLine(api, grantId, { status: 'approved', ...line });
    };
    await add('familyHelp', { title: 'Family Help workers', category: 'family_help_delivery', amount: '9000.00' });
    await add('voiceSessions', { title: 'Voice sessions', category: 'family_voice', amount: '500.00' });
    await add('caseSystem', { title: 'Case system', category: 'practice_workforce_ict', amount: null });
    await add('parentPanel', { title: 'Parent panel', category: 'family_voice', amount: '300.00', status: 'proposed' });
    await add('coaching', { title: 'Coaching', category: 'transformation', amount: '3700.00' });
    await add('oldPilot', { title: 'Old pilot', category: 'family_voice', amount: '50.00' });
    const spend = async (key: string, amount: string) => {
      const response = await api.post(`/api/v1/commitments/${lines[key]!.id}/spend`, { amount, spentOn: '2025-06-30' });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
    };
    await spend('familyHelp', '1000.00');
    await spend('voiceSessions', '650.00');
    await spend('caseSystem', '200.00');
    await spend('parentPanel', '100.00');
    const withdrawn = await api.post(`/api/v1/commitments/${lines.oldPilot!.id}/withdraw`);
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    await signIn(page, suite.people.finance);
  });

  const rows = () => page.locator('[data-testid="commitments"] tbody tr');
  const shownRefs = async () => (await rows().locator('td:first-child').allInnerTexts()).map((ref) => ref.trim());
  const row = (ref: string) => page.locator(`[data-testid="commitments"] tbody tr[data-line="${ref}"]`);
  const tags = async (ref: string) => (await row(ref).locator('[data-testid="line-warnings"] .govuk-tag').allInnerTexts()).map((tag) => tag.trim());

  /** The totals row against the rows above it: withdrawn lines and tbc amounts add nothing. */
  async function expectTotalsOfShownRows(): Promise<{ committed: string; spent: string }> {
    const shown = await rows().evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (td) => (td as { textContent: string | null }).textContent?.trim() ?? '')));
    const counted = shown.filter((cells) => cells[5] !== 'withdrawn');
    const committed = sumDecimals(counted.filter((cells) => cells[3] !== 'tbc').map((cells) => pounds(cells[3]!)));
    const spent = sumDecimals(counted.map((cells) => pounds(cells[4]!)));
    const totals = {
      committed: (await textOf(page.locator('[data-total="committed"]'))).trim(),
      spent: (await textOf(page.locator('[data-total="spent"]'))).trim(),
    };
    expect(pounds(totals.committed).toFixed(2)).toBe(committed.toFixed(2));
    expect(pounds(totals.spent).toFixed(2)).toBe(spent.toFixed(2));
    return totals;
  }

  it('shows the over-allocation banner with the exact excess, and the other warnings linked to their line or category', async () => {
    await page.goto(`/grants/${grantId}`);
    // Committed: 9,000 + 500 + 300 + 3,700 = 13,500 against 11,000 (the withdrawn line counts in nothing).
    const banner = page.locator('[data-testid="over-allocation"]');
    expect(await banner.innerText()).toContain('Commitments exceed the allocation by £2,500.00');
    expect(await banner.innerText()).toContain('Lines commit £13,500.00, £2,500.00 more than the £11,000.00 allocation.');

    const warnings = page.locator('[data-testid="warnings"]');
    const overspent = warnings.locator('[data-warning="line-overspent"] a');
    expect(await overspent.innerText()).toContain(`Line ${lines.voiceSessions!.ref} has spent £650.00, £150.00 more than its £500.00.`);
    expect(await overspent.getAttribute('href')).toBe(`/commitments/${lines.voiceSessions!.id}`);
    expect(await warnings.locator('[data-warning="spend-on-tbc-line"] a').getAttribute('href')).toBe(`/commitments/${lines.caseSystem!.id}`);
    expect(await warnings.locator('[data-warning="spend-on-proposed-line"] a').getAttribute('href')).toBe(`/commitments/${lines.parentPanel!.id}`);
    // Family Help commits 9,000 against a plan of 50% of the base (5,000): 36.4 points of the allocation above it.
    const drift = warnings.locator('[data-warning="planned-share-drift"] a', { hasText: 'Direct delivery of Family Help' });
    expect(await drift.getAttribute('href')).toBe(`/grants/${grantId}/commitments?category=family_help_delivery`);
    const nearCap = warnings.locator('[data-warning="near-cap"]');
    expect(await nearCap.innerText()).toBe('Transformation takes £3,700.00 of its £4,000.00 cap, leaving £300.00.');
    expect(await nearCap.locator('a').getAttribute('href')).toBe(`/grants/${grantId}/commitments?category=transformation`);
    expect(await warnings.locator('[data-warning="over-allocation"]').count()).toBe(0);

    // The cap as the summary gives it: 30% of the £10,000 base plus the £1,000 earmarked.
    const head = await page.locator('[data-testid="categories"] thead th').allInnerTexts();
    const transformation = await page.locator('[data-testid="categories"] tbody tr', { hasText: 'Transformation' }).locator('td').allInnerTexts();
    expect(transformation[head.indexOf('Earmarked')]).toBe('£1,000.00');
    expect(transformation[head.indexOf('Cap')]).toBe('£4,000.00');
    await checkPage(page, 'dashboard-over-allocation');

    await Promise.all([page.waitForURL(/category=family_help_delivery/), drift.click()]);
    expect(await shownRefs()).toEqual([lines.familyHelp!.ref]);
  });

  it('tags an overspent line, spend on a tbc line and spend on a proposed line, and nothing else', async () => {
    await page.goto(`/grants/${grantId}/commitments`);
    expect(await tags(lines.voiceSessions!.ref)).toEqual(['Overspent']);
    expect(await tags(lines.caseSystem!.ref)).toEqual(['Spend on tbc line']);
    expect(await tags(lines.parentPanel!.ref)).toEqual(['Spend while proposed']);
    for (const quiet of ['familyHelp', 'coaching', 'oldPilot']) expect(await tags(lines[quiet]!.ref), quiet).toEqual([]);
    expect(await expectTotalsOfShownRows()).toEqual({ committed: '£13,500.00', spent: '£1,950.00' });
    await checkPage(page, 'commitments-tagged');
  });

  it('filters by category and by status with a plain form, keeps the choices, and totals only the lines shown', async () => {
    await page.goto(`/grants/${grantId}/commitments`);
    await page.selectOption('#category', 'family_voice');
    await Promise.all([page.waitForURL(/category=family_voice/), page.click('button:has-text("Filter lines")')]);
    expect(await shownRefs()).toEqual([lines.voiceSessions!.ref, lines.parentPanel!.ref, lines.oldPilot!.ref]);
    expect(await page.inputValue('#category')).toBe('family_voice');
    expect(await page.inputValue('#status')).toBe('');
    expect(await expectTotalsOfShownRows()).toEqual({ committed: '£800.00', spent: '£750.00' });
    await checkPage(page, 'commitments-by-category');

    await page.selectOption('#category', '');
    await page.selectOption('#status', 'approved');
    await Promise.all([page.waitForURL(/status=approved/), page.click('button:has-text("Filter lines")')]);
    expect(await shownRefs()).toEqual([lines.familyHelp!.ref, lines.voiceSessions!.ref, lines.caseSystem!.ref, lines.coaching!.ref]);
    expect(await page.inputValue('#status')).toBe('approved');
    expect(await expectTotalsOfShownRows()).toEqual({ committed: '£13,200.00', spent: '£1,850.00' });

    await page.selectOption('#category', 'family_voice');
    await page.selectOption('#status', 'proposed');
    await Promise.all([page.waitForURL(/status=proposed/), page.click('button:has-text("Filter lines")')]);
    expect(await shownRefs()).toEqual([lines.parentPanel!.ref]);
    expect(await expectTotalsOfShownRows()).toEqual({ committed: '£300.00', spent: '£100.00' });
    await checkPage(page, 'commitments-by-category-and-status');

    // Sorting keeps the filters.
    await Promise.all([page.waitForURL(/sort=amount/), page.click('th a:has-text("Amount")')]);
    expect(new URL(page.url()).searchParams.get('category')).toBe('family_voice');
    expect(new URL(page.url()).searchParams.get('status')).toBe('proposed');
    expect(await shownRefs()).toEqual([lines.parentPanel!.ref]);

    await Promise.all([page.waitForURL((url) => !url.searchParams.has('category')), page.click('a:has-text("Show all lines")')]);
    expect(await shownRefs()).toHaveLength(6);
  });

  it('refuses a filter value the form does not offer, naming the field', async () => {
    const response = await page.goto(`/grants/${grantId}/commitments?status=paid&category=family_voice`);
    expect(response?.status()).toBe(400);
    expect((await textOf(page.locator('.govuk-error-summary__list'))).trim()).toBe('Status must be one of proposed, approved, withdrawn');
    expect(await page.inputValue('#category')).toBe('family_voice');
    await checkPage(page, 'commitments-bad-filter');
    const unknownCategory = await page.goto(`/grants/${grantId}/commitments?category=not_a_category`);
    expect(unknownCategory?.status()).toBe(400);
    expect(await textOf(page.locator('.govuk-error-summary__list'))).toContain("Category must be one of this grant's categories");
  });

  it('answers 404 to a reader of another council asking for the filtered list', async () => {
    const outsider = new FormClient(suite.web.app);
    expect((await outsider.signIn(other.people.reader)).statusCode).toBe(303);
    const filtered = await outsider.get(`/grants/${grantId}/commitments?category=family_voice&status=approved`);
    expect(filtered.statusCode).toBe(404);
    expect(filtered.body).not.toContain('Voice sessions');

    const insider = new FormClient(suite.web.app);
    expect((await insider.signIn(suite.people.reader)).statusCode).toBe(303);
    const own = await insider.get(`/grants/${grantId}/commitments?category=family_voice&status=approved`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('Voice sessions');
    expect(own.body).not.toContain('Parent panel');
  });
});
