import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPassword } from '../../src/auth/users-service.ts';
import { loadDemo } from '../../src/demo/load.ts';
import { apiAs } from '../support/app.ts';
import { axeViolations, launchBrowser, screenshot, type TestBrowser } from './support/browser.ts';
import { signIn, textOf } from './support/pages.ts';
import { PASSWORD, startWebApp, type WebTestApp } from './support/web-app.ts';

/** Addresses told apart by their route alone: one visit each of /grants/:id, /commitments/:id, … */
function routeOf(path: string): string {
  return path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id');
}

/** Links the crawl follows: this site's pages, not downloads, the API or its documentation. */
function isPage(url: URL, origin: string): boolean {
  return url.origin === origin && !url.searchParams.has('format') && !/^\/(api|docs|openapi\.json|public|assets)(\/|$)/.test(url.pathname);
}

/**
 * A council's service, not GOV.UK: no page wears the crown, the GOV.UK logotype or Crown
 * copyright, every page names Ringfence, and axe finds nothing on any of them (any impact).
 */
async function checkBranding(page: Page, name: string): Promise<void> {
  await screenshot(page, `every-page-${name}`);
  const html = await page.content();
  expect(html, name).not.toMatch(
    /govuk-header__logotype|govuk-logo|govuk-footer__crown|govuk-footer__copyright-logo|govuk-footer__licence-logo|govuk-crest|govuk-icon|favicon\.ico/,
  );
  expect(html, name).not.toMatch(/aria-label="GOV\.UK"|>\s*GOV\.UK\s*</);
  const text = await textOf(page.locator('body'));
  expect(text, name).not.toMatch(/Crown copyright|Open Government Licence/i);
  expect(await textOf(page.locator('[data-testid="service-header"]')), name).toBe('Ringfence');
  const violations = await axeViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

describe('every page, as a platform administrator reaches it by its links', () => {
  let web: WebTestApp;
  let browser: TestBrowser;
  let organisationId: string;

  beforeAll(async () => {
    web = await startWebApp();
    const db = web.database.handle.db;
    const demo = await loadDemo(db);
    organisationId = demo.organisationId;
    const api = apiAs(web.app, web.adminToken);
    const base = `/api/v1/organisations/${organisationId}`;
    const line = (await api.get(`/api/v1/grants/${demo.grantId}/commitments`)).body.items[0];
    const workstream = await api.post(`${base}/workstreams`, { name: 'Family Help', objectives: 'One Family Help offer' });
    expect(workstream.status).toBe(201);
    const records: [string, Record<string, unknown>][] = [
      [
        'posts',
        { title: 'Attendance Lead', headcount: 1, annualCost: '52000.00', status: 'in_post', startDate: '2025-09-01', commitmentId: line.id, workstreamId: workstream.body.id },
      ],
      ['secondments', { partner: 'South Yorkshire Police', role: 'Detective Sergeant', annualCost: '60000.00', status: 'in_post' }],
      ['milestones', { title: 'Needs analysis completed', dueOn: '2025-10-31', workstreamId: workstream.body.id }],
      ['risks', { title: 'Partners withdraw', likelihood: 3, impact: 4 }],
    ];
    for (const [path, body] of records) expect((await api.post(`${base}/${path}`, body)).status, path).toBe(201);
    const admin = await db.selectFrom('users').select(['id', 'email']).where('is_platform_admin', '=', true).executeTakeFirstOrThrow();
    await setPassword(db, { actorId: null }, admin.id, PASSWORD);
    browser = await launchBrowser(web.baseURL);
    const { page } = browser;
    await page.goto('/sign-in');
    await checkBranding(page, 'sign-in');
    await signIn(page, { email: admin.email, password: PASSWORD });
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('shows no crown, GOV.UK logotype or Crown copyright, and axe finds nothing, on every page', async () => {
    const { page } = browser;
    const origin = new URL(web.baseURL).origin;
    const queue = [`/organisations/${organisationId}`, '/organisations', '/account', '/no-such-page'];
    const seen = new Set(queue.map(routeOf));
    const visited: string[] = [];
    while (queue.length > 0) {
      const path = queue.shift()!;
      // A grant's dashboard draws its charts on the server: longer than a plain step on a loaded machine.
      await page.goto(path, { timeout: 60_000 });
      visited.push(routeOf(path.split('?')[0]!));
      await checkBranding(page, `${visited.length}${routeOf(path).replace(/[^a-z0-9]+/gi, '-')}`);
      if (path.startsWith(`/organisations/${organisationId}`) || path.startsWith('/grants/') || path.startsWith('/commitments/')) {
        expect(await textOf(page.locator('.govuk-service-navigation__service-name')), path).toBe('Demo Borough Council');
      }
      for (const href of await page.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))) {
        const url = new URL(href, web.baseURL + path);
        const route = routeOf(url.pathname);
        if (!isPage(url, origin) || seen.has(route)) continue;
        seen.add(route);
        queue.push(url.pathname + url.search);
      }
    }
    // The crawl reached the pages of every area, the new ones included.
    expect(visited).toEqual(
      expect.arrayContaining([
        '/grants/:id',
        '/grants/:id/commitments',
        '/commitments/:id',
        '/grants/:id/forecast',
        '/grants/:id/reports',
        `/organisations/:id/programme`,
        '/organisations/:id/programme/posts',
        '/organisations/:id/programme/milestones',
        '/organisations/:id/programme/risks',
        '/organisations/:id/admin',
        '/admin/organisations',
        '/admin/organisations/new',
        '/admin/organisations/:id',
        '/admin/schemes',
      ]),
    );
    // Some forty pages, each loaded and checked by axe: longer than one journey's 120 s on a loaded machine.
  }, 600_000);
});
