import { afterAll, beforeAll } from 'vitest';
import type { Role } from '../../../src/db/tables.ts';
import type { Clock } from '../../../src/http/clock.ts';
import type { TestOrganisation } from '../../support/factories.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';
import { organisationWithPeople, type Person, startWebApp, type WebTestApp } from './web-app.ts';

export interface BrowserSuite {
  web: WebTestApp;
  browser: TestBrowser;
  organisation: TestOrganisation;
  people: Record<Role, Person>;
}

/** The app, one organisation with a person per role, and one Chromium, for a test file's tests. */
export function browserSuite(organisationName: string, options: { javaScript?: boolean; clock?: Clock } = {}): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    suite.web = await startWebApp({ clock: options.clock });
    Object.assign(suite, await organisationWithPeople(suite.web, organisationName));
    suite.browser = await launchBrowser(suite.web.baseURL, options);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.web?.close();
  });
  return suite;
}
