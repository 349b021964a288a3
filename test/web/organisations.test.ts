import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { setPassword } from '../../src/auth/users-service.ts';
import { apiAs } from '../support/app.ts';
import { FormClient } from './support/forms.ts';
import { checkPage, errorSummary, signIn, signOut, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';
import { PASSWORD } from './support/web-app.ts';

/** Presses Tab until the element with this id has the focus: the page's own tab order, no mouse. */
async function tabTo(page: Page, id: string): Promise<void> {
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate('document.activeElement && document.activeElement.id')) === id) return;
  }
  throw new Error(`#${id} is not reached by Tab`);
}

describe('organisation pages for platform administrators', () => {
  const suite = browserSuite('Existing Council');

  const platformAdmin = async () => {
    const db = suite.web.database.handle.db;
    const admin = await db.selectFrom('users').select(['id', 'email']).where('is_platform_admin', '=', true).executeTakeFirstOrThrow();
    await setPassword(db, { actorId: null }, admin.id, PASSWORD);
    return { email: admin.email, password: PASSWORD };
  };

  it('a platform administrator adds a council and its email domains by keyboard alone, then renames it', async () => {
    const { page } = suite.browser;
    await signIn(page, await platformAdmin());
    await page.goto('/organisations');
    await page.click('a:has-text("Platform administration: organisations")');
    expect(await textOf(page.locator('h1'))).toBe('Organisations');
    expect(await textOf(page.locator('[data-testid="organisations"]'))).toContain('Existing Council');
    await checkPage(page, 'organisations-admin');

    await page.click('a:has-text("Add an organisation")');
    await tabTo(page, 'name');
    await page.keyboard.type('Rotherham Metropolitan Borough Council');
    await tabTo(page, 'code');
    await page.keyboard.type('E0800001');
    await tabTo(page, 'emailDomains');
    await page.keyboard.type('Rotherham.gov.uk\nnot a domain');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.govuk-error-summary');
    expect(await errorSummary(page)).toEqual(['GSS code must be a GSS code such as "E08000018"', 'Email domain "not a domain" must be a domain such as "rotherham.gov.uk"']);
    expect(await page.inputValue('#name')).toBe('Rotherham Metropolitan Borough Council');
    await checkPage(page, 'organisation-new-refused');

    await page.fill('#code', 'e08000018');
    await page.fill('#emailDomains', 'Rotherham.gov.uk\nrotherham.gov.uk, rmbc.gov.uk');
    await page.focus('#emailDomains');
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL(/\/organisations\/[0-9a-f-]+\/admin$/), page.keyboard.press('Enter')]);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Rotherham Metropolitan Borough Council added');
    // The header names the service and the council now worked in.
    expect(await textOf(page.locator('[data-testid="service-header"]'))).toBe('Ringfence');
    expect(await textOf(page.locator('.govuk-service-navigation__service-name'))).toBe('Rotherham Metropolitan Borough Council');
    const created = (await apiAs(suite.web.app, suite.web.adminToken).get('/api/v1/organisations')).body.items.find((o: { code: string }) => o.code === 'E08000018');
    expect(created).toMatchObject({ name: 'Rotherham Metropolitan Borough Council', emailDomains: ['rotherham.gov.uk', 'rmbc.gov.uk'] });

    await page.click('a:has-text("Change this organisation")');
    expect(await page.inputValue('#emailDomains')).toBe('rotherham.gov.uk\nrmbc.gov.uk');
    await checkPage(page, 'organisation-change');
    await page.fill('#name', ' ');
    await page.click('button:has-text("Save organisation")');
    expect(await errorSummary(page)).toEqual(['Name must not be empty']);
    await page.fill('#name', 'Rotherham Council');
    await page.fill('#emailDomains', 'rotherham.gov.uk');
    await Promise.all([page.waitForURL('**/admin/organisations'), page.click('button:has-text("Save organisation")')]);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Rotherham Council saved');
    expect(await textOf(page.locator('[data-testid="organisations"] tr', { hasText: 'E08000018' }))).toMatch(/Rotherham Council\s+E08000018\s+Council\s+rotherham\.gov\.uk/);

    // A code already taken is refused against its box, and nothing is added.
    await page.goto('/admin/organisations/new');
    await page.fill('#name', 'Again');
    await page.fill('#code', 'E08000018');
    await page.click('button:has-text("Add organisation")');
    expect(await errorSummary(page)).toEqual(['GSS code is taken: An organisation with code E08000018 already exists.']);
    const audit = await apiAs(suite.web.app, suite.web.adminToken).get(`/api/v1/organisations/${created.id}/audit`);
    expect(audit.body.items.map((r: { action: string; entity: string }) => `${r.action} ${r.entity}`)).toEqual(
      expect.arrayContaining(['create organisation', 'update organisation']),
    );

    // A region is added the same way, its kind chosen once; councils then share with it.
    await page.goto('/admin/organisations/new');
    await page.fill('#name', 'Yorkshire and the Humber');
    await page.fill('#code', 'E12000003');
    await page.check('input[name="kind"][value="region"]');
    await Promise.all([page.waitForURL(/\/organisations\/[0-9a-f-]+\/admin$/), page.click('button:has-text("Add organisation")')]);
    const region = (await apiAs(suite.web.app, suite.web.adminToken).get('/api/v1/organisations')).body.items.find((o: { code: string }) => o.code === 'E12000003');
    expect(region).toMatchObject({ name: 'Yorkshire and the Humber', kind: 'region' });
    await signOut(page);
  });

  it('refuses the pages to everyone else, an organisation admin included', async () => {
    const { page } = suite.browser;
    await signIn(page, suite.people.admin);
    await page.goto(`/organisations/${suite.organisation.id}/admin`);
    expect(await page.locator('a[href^="/admin/organisations"]').count()).toBe(0);
    expect((await page.goto('/admin/organisations'))?.status()).toBe(403);
    expect((await page.goto('/admin/organisations/new'))?.status()).toBe(403);
    expect((await page.goto(`/admin/organisations/${suite.organisation.id}`))?.status()).toBe(403);
    await signOut(page);

    // The posts are refused too, CSRF token and all, and change nothing.
    const admin = new FormClient(suite.web.app);
    expect((await admin.signIn(suite.people.admin)).statusCode).toBe(303);
    const token = await admin.token(`/organisations/${suite.organisation.id}/admin`);
    const post = (url: string, fields: Record<string, string>) =>
      suite.web.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie },
        payload: new URLSearchParams({ ...fields, _csrf: token }).toString(),
      });
    expect((await post('/admin/organisations/new', { name: 'Sneaky', code: 'E08000777' })).statusCode).toBe(403);
    expect((await post(`/admin/organisations/${suite.organisation.id}`, { name: 'Renamed', emailDomains: 'evil.example' })).statusCode).toBe(403);
    const own = await apiAs(suite.web.app, suite.web.adminToken).get(`/api/v1/organisations/${suite.organisation.id}`);
    expect(own.body.name).toBe('Existing Council');

    // A platform administrator's post without the form's token is refused as every form's is.
    const platform = new FormClient(suite.web.app);
    expect((await platform.signIn(await platformAdmin())).statusCode).toBe(303);
    expect((await platform.post('/admin/organisations/new', { name: 'No token', code: 'E08000778' }, { withToken: false })).statusCode).toBe(403);
    expect((await platform.get('/admin/organisations/not-an-id')).statusCode).toBe(404);
    expect((await platform.get('/admin/organisations/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });
});
