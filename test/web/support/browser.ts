import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (apt package `chromium`); never a downloaded browser. */
const CHROMIUM = '/usr/bin/chromium';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'web');

export interface TestBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

let chromiumProcess: Promise<Browser> | null = null;

/**
 * One headless Chromium per vitest worker, which runs file after file (`isolate: false`,
 * vitest.config.ts): starting it per file cost seconds of CPU each time. Playwright closes it
 * when the worker exits; if it dies, the next file starts another.
 */
function sharedChromium(): Promise<Browser> {
  chromiumProcess ??= chromium
    .launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    .then((browser) => {
      browser.on('disconnected', () => (chromiumProcess = null));
      return browser;
    });
  chromiumProcess.catch(() => (chromiumProcess = null));
  return chromiumProcess;
}

/** A browser context of the test file's own (cookies, storage and cache start empty, as in a fresh profile), thrown away after. */
export async function launchBrowser(baseURL: string, options: { javaScript?: boolean } = {}): Promise<TestBrowser> {
  const context = await (
    await sharedChromium()
  ).newContext({
    baseURL,
    acceptDownloads: true,
    javaScriptEnabled: options.javaScript ?? true,
    viewport: { width: 1280, height: 900 },
  });
  // Fail a step naming it, rather than at the test's own timeout (120 s, vitest.config.ts); 20 s
  // leaves room for a page load on a two-core machine running other suites at the same time.
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  return {
    context,
    page,
    async close() {
      await context.close();
    },
  };
}

/** A full-page screenshot kept as a test artefact (test-artifacts/ is git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

let axeSource: Promise<string> | null = null;

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: { target: unknown[] }[];
}

/** Runs axe-core inside the page (WCAG 2.x A and AA rules) and returns every violation, whatever its impact. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, which the page's CSP rightly does not allow as an inline script.
  await page.evaluate(await axeSource);
  // A string, not a function: it runs in the page, where axe and document live (this file
  // compiles without the DOM's types).
  const options = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } };
  return (await page.evaluate(
    `axe.run(document, ${JSON.stringify(options)}).then((result) => result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  )) as AxeViolation[];
}

/** The serious and critical violations axe finds. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  return (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
