import { describe, expect, it } from 'vitest';
import { setPassword } from '../../src/auth/users-service.ts';
import { apiAs } from '../support/app.ts';
import { checkPage, errorSummary, signIn, signOut, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';
import { PASSWORD } from './support/web-app.ts';

describe('grant scheme pages in the browser', () => {
  const suite = browserSuite('Scheme Council');

  const signInAsPlatformAdmin = async () => {
    const db = suite.web.database.handle.db;
    const admin = await db.selectFrom('users').select('id').where('is_platform_admin', '=', true).executeTakeFirstOrThrow();
    await setPassword(db, { actorId: null }, admin.id, PASSWORD);
    const email = (await db.selectFrom('users').select('email').where('id', '=', admin.id).executeTakeFirstOrThrow()).email;
    await signIn(suite.browser.page, { email, password: PASSWORD });
  };

  it('a platform administrator adds a 2027-28 version to csc-prevention', async () => {
    const { page } = suite.browser;
    await signInAsPlatformAdmin();
    await page.goto(`/organisations/${suite.organisation.id}/admin`);
    await page.click('a:has-text("Grant schemes")');
    expect(await textOf(page.locator('h1'))).toBe('Grant schemes');
    expect(await textOf(page.locator('[data-testid="categories-csc-prevention-2025-26"]'))).toMatch(/Transformation\s+transformation\s+\S.*\s+30%\s+30%/);
    expect(await textOf(page.locator('[data-testid="determinations-csc-prevention-2025-26"]'))).toContain('Earmarked to Transformation');
    await checkPage(page, 'schemes');

    await page.click('a[href="/admin/schemes/csc-prevention/versions/new"]');
    expect(await page.inputValue('#financialYear')).toBe('2027-28');
    expect(await page.inputValue('#categories-0-code')).toBe('transformation');
    await checkPage(page, 'scheme-version-form');

    // A planned share above its cap is refused against that box, and nothing is added.
    await page.fill('#categories-0-plannedShare', '0.4000');
    await page.fill('#determinations-0-ref', '31/8100');
    await page.fill('#determinations-0-title', 'Children’s Social Care Prevention Grant 2027-28');
    await page.selectOption('#determinations-0-purpose', 'base');
    await page.click('button:has-text("Add version")');
    expect(await errorSummary(page)).toEqual(['Category 1 planned share must not exceed maxShare', 'Categories: planned shares must not add up to more than 1']);
    expect(await textOf(page.locator('#categories-0-plannedShare-error'))).toContain('must not exceed maxShare');
    expect(await page.inputValue('#determinations-0-ref')).toBe('31/8100');
    await checkPage(page, 'scheme-version-form-refused');

    await page.fill('#categories-0-plannedShare', '0.3000');
    await Promise.all([page.waitForURL('**/admin/schemes'), page.click('button:has-text("Add version")')]);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('2027-28 added');
    expect(await textOf(page.locator('[data-testid="determinations-csc-prevention-2027-28"]'))).toMatch(/31\/8100.*Base/s);

    const schemes = await apiAs(suite.web.app, suite.web.adminToken).get('/api/v1/schemes');
    const csc = schemes.body.items.find((s: { code: string }) => s.code === 'csc-prevention');
    const added = csc.versions.find((v: { financialYear: string }) => v.financialYear === '2027-28');
    expect(added.determinations).toEqual([{ ref: '31/8100', title: 'Children’s Social Care Prevention Grant 2027-28', purpose: 'base' }]);
    expect(added.categories.map((c: { code: string; maxShare: string | null }) => [c.code, c.maxShare])).toEqual(
      csc.versions.find((v: { financialYear: string }) => v.financialYear === '2026-27').categories.map((c: { code: string; maxShare: string | null }) => [c.code, c.maxShare]),
    );
  });

  it('a platform administrator adds a new scheme with a capped category', async () => {
    const { page } = suite.browser;
    await page.goto('/admin/schemes');
    await page.click('a:has-text("Add a scheme")');
    await checkPage(page, 'scheme-new');
    await page.fill('#code', 'holiday-activities');
    await page.fill('#name', 'Holiday Activities and Food');
    await page.fill('#financialYear', '2026-27');
    await page.fill('#headings-0-code', 'delivery');
    await page.fill('#headings-0-label', 'Delivery');
    await page.fill('#categories-0-code', 'coordination');
    await page.fill('#categories-0-name', 'Coordination');
    await page.fill('#categories-0-heading', 'delivry');
    await page.fill('#categories-0-plannedShare', '0.1000');
    await page.fill('#categories-0-maxShare', '0.1500');
    await page.fill('#categories-1-code', 'provision');
    await page.fill('#categories-1-name', 'Holiday club places');
    await page.fill('#categories-1-heading', 'delivery');
    await page.fill('#categories-1-plannedShare', '0.9000');
    await page.click('button:has-text("Add scheme")');
    // The service's own rule (versionProblems), shown against the box it names.
    expect(await errorSummary(page)).toEqual(['Category 1 heading is not one of the headings']);
    expect(await textOf(page.locator('#categories-0-heading-error'))).toContain('is not one of the headings');
    expect(await page.inputValue('#code')).toBe('holiday-activities');
    await checkPage(page, 'scheme-new-refused');

    await page.fill('#categories-0-heading', 'delivery');
    await Promise.all([page.waitForURL('**/admin/schemes'), page.click('button:has-text("Add scheme")')]);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Holiday Activities and Food added');
    expect(await textOf(page.locator('[data-testid="categories-holiday-activities-2026-27"]'))).toMatch(/Coordination\s+coordination\s+Delivery\s+10%\s+15%/);

    const schemes = await apiAs(suite.web.app, suite.web.adminToken).get('/api/v1/schemes');
    const created = schemes.body.items.find((s: { code: string }) => s.code === 'holiday-activities');
    expect(created.versions[0].categories).toEqual([
      expect.objectContaining({ code: 'coordination', heading: 'delivery', plannedShare: '0.1000', maxShare: '0.1500' }),
      expect.objectContaining({ code: 'provision', plannedShare: '0.9000', maxShare: null }),
    ]);

    // A second scheme with the same code is refused against the code box.
    await page.goto('/admin/schemes/new');
    await page.fill('#code', 'holiday-activities');
    await page.fill('#name', 'Again');
    await page.fill('#headings-0-code', 'delivery');
    await page.fill('#headings-0-label', 'Delivery');
    await page.fill('#categories-0-code', 'provision');
    await page.fill('#categories-0-name', 'Places');
    await page.fill('#categories-0-heading', 'delivery');
    await page.fill('#categories-0-plannedShare', '1');
    await page.click('button:has-text("Add scheme")');
    expect(await errorSummary(page)).toEqual(['A scheme with code holiday-activities already exists.']);
    expect(await page.locator('#code-error').count()).toBe(1);
  });

  it('a finance officer sees no scheme administration and is refused the pages', async () => {
    const { page } = suite.browser;
    await signOut(page);
    await signIn(page, suite.people.finance);
    expect(await page.locator('a:has-text("Administration")').count()).toBe(0);
    expect(await page.locator('a[href="/admin/schemes"]').count()).toBe(0);
    expect((await page.goto('/admin/schemes'))?.status()).toBe(403);
    expect((await page.goto('/admin/schemes/csc-prevention/versions/new'))?.status()).toBe(403);
    expect((await page.goto('/admin/schemes/new'))?.status()).toBe(403);
  });
});
