import { describe, expect, it } from 'vitest';
import { apiAs } from '../support/app.ts';
import { createOrganisation } from '../support/factories.ts';
import { checkPage, errorSummary, signIn, signOut, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';

describe('administration in the browser', () => {
  const suite = browserSuite('Admin Council');

  it('adds a member, hands them a one-time set-password link, and they sign in with the password they chose', async () => {
    const { page } = suite.browser;
    const organisationId = suite.organisation.id;
    await signIn(page, suite.people.admin);
    await page.click('a:has-text("Administration")');
    expect(page.url()).toContain(`/organisations/${organisationId}/admin`);
    await checkPage(page, 'admin');

    await page.click('button:has-text("Save member")');
    expect(await errorSummary(page)).toEqual(expect.arrayContaining([expect.stringMatching(/^Email address /), expect.stringMatching(/^Role /)]));

    await page.fill('#email', 'New.Officer@Example.gov.uk');
    await page.fill('#name', 'New Officer');
    await page.check('input[name="role"][value="finance"]');
    await Promise.all([page.waitForURL(/\/admin\/members\//), page.click('button:has-text("Save member")')]);
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('New Officer is a member as finance');
    // An organisation's admin never sets someone else's password: only a platform administrator may.
    expect(await page.locator('button:has-text("Set a new password")').count()).toBe(0);
    await page.click('button:has-text("Make a set-password link")');
    const link = await textOf(page.locator('[data-testid="password-link"]'));
    expect(link).toMatch(/\/set-password\/[A-Za-z0-9_-]{43}$/);
    await checkPage(page, 'member');

    await page.fill('#name', 'laptop');
    await page.click('button:has-text("Issue a token")');
    const token = await textOf(page.locator('[data-testid="token"]'));
    const me = await apiAs(suite.web.app, token).get('/api/v1/me');
    expect(me.body.email).toBe('new.officer@example.gov.uk');
    await page.click('button:has-text("Revoke")');
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Token revoked');
    expect((await apiAs(suite.web.app, token).get('/api/v1/me')).status).toBe(401);

    await checkPage(page, 'member-token');

    // A second council takes the same person on: they then choose which one to work in.
    const second = await createOrganisation(suite.web, 'Second Council');
    const platform = apiAs(suite.web.app, suite.web.adminToken);
    expect((await platform.post(`/api/v1/organisations/${second.id}/users`, { email: 'new.officer@example.gov.uk', name: 'New Officer', role: 'reader' })).status).toBe(201);

    await signOut(page);
    await page.goto(link);
    await checkPage(page, 'set-password');
    const password = 'a password of my own choosing';
    await page.fill('#newPassword', password);
    await page.fill('#confirmPassword', password);
    await Promise.all([page.waitForURL(/\/sign-in\?passwordSet=1/), page.click('button:has-text("Set password")')]);
    expect((await page.goto(link))?.status()).toBe(404);
    await signIn(page, { email: 'new.officer@example.gov.uk', password });
    expect(await textOf(page.locator('h1'))).toBe('Choose an organisation');
    await checkPage(page, 'choose-organisation');
    await page.click('a:has-text("Admin Council")');
    expect(await textOf(page.locator('h1'))).toBe('Admin Council');
    expect(await page.locator('a:has-text("Administration")').count()).toBe(0);
    const refused = await page.goto(`/organisations/${organisationId}/admin`);
    expect(refused?.status()).toBe(403);
  });

  it('lets a person change their own password on their account page', async () => {
    const { page } = suite.browser;
    await signOut(page);
    await signIn(page, suite.people.reader);
    await page.click(`a:has-text("${'reader of Admin Council'}")`);
    await checkPage(page, 'account');
    await page.fill('#currentPassword', suite.people.reader.password);
    await page.fill('#newPassword', 'short');
    await page.fill('#confirmPassword', 'short');
    await page.click('button:has-text("Change password")');
    expect(await errorSummary(page)).toEqual(['The new password must be at least 12 characters']);
    await page.fill('#currentPassword', suite.people.reader.password);
    await page.fill('#newPassword', 'four random words here');
    await page.fill('#confirmPassword', 'four random words here');
    await page.click('button:has-text("Change password")');
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Your password has been changed');
    await signOut(page);
    await signIn(page, { email: suite.people.reader.email, password: 'four random words here' });
    expect(await textOf(page.locator('h1'))).toBe('Admin Council');
  });
});
