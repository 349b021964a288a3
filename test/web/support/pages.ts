import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Person } from './web-app.ts';
import { screenshot, seriousViolations } from './browser.ts';

export async function signIn(page: Page, person: Person): Promise<void> {
  await page.goto('/sign-in');
  await page.fill('#email', person.email);
  await page.fill('#password', person.password);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/sign-in')), page.click('button:has-text("Sign in")')]);
}

export async function signOut(page: Page): Promise<void> {
  await Promise.all([page.waitForURL(/\/sign-in/), page.click('button:has-text("Sign out")')]);
}

/** Checks the page with axe-core and keeps a screenshot of it; no serious or critical violation. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  const violations = await seriousViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** The GOV.UK error summary's messages. */
export async function errorSummary(page: Page): Promise<string[]> {
  return page.locator('.govuk-error-summary__list li').allInnerTexts();
}
