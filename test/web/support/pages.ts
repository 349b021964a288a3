import type { Locator, Page } from 'playwright-core';
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

/**
 * A locator's text once its page has been parsed to the end. Read as soon as the element is
 * attached (right after a click that loads a new page), a table can still be arriving: on a
 * busy machine a test read a list's caption and headings before its rows were parsed.
 */
export async function textOf(locator: Locator): Promise<string> {
  await locator.waitFor({ state: 'attached' });
  await locator.page().waitForLoadState('domcontentloaded');
  return locator.innerText();
}
