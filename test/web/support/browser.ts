import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { onTestFailed, onTestFinished } from 'vitest';

/**
 * Debian's headless shell of Chromium (apt package `chromium-headless-shell`), never a downloaded
 * browser. The same Blink as the `chromium` package without the browser around it, as Playwright
 * runs headless tests by default: the browser files took a fifth less CPU than in `chromium`'s
 * own headless mode (docs/testing.md, "Where the suite's time goes").
 */
const CHROMIUM = '/usr/bin/chromium-headless-shell';

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
  if (!existsSync(CHROMIUM)) throw new Error(`No ${CHROMIUM}: install Debian's package (apt-get install chromium-headless-shell; .ci/run does).`);
  chromiumProcess ??= chromium
    .launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    .then((browser) => {
      browser.on('disconnected', () => (chromiumProcess = null));
      return browser;
    });
  chromiumProcess.catch(() => (chromiumProcess = null));
  return chromiumProcess;
}

/** The contexts of the test file running in this worker, for a screenshot when one of its tests fails. */
const openContexts = new Set<BrowserContext>();

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
  openContexts.add(context);
  const forget = async () => {
    openContexts.delete(context);
    await context.close();
  };
  return {
    context,
    page,
    async close() {
      try {
        // Closed by the test itself (try/finally): keep its pages open until a failure has
        // been pictured (failure-screenshots.ts pictures in onTestFinished; onTestFailed runs after).
        onTestFinished(({ task }) => (task.result?.state === 'fail' ? undefined : forget()));
        onTestFailed(forget);
      } catch {
        await forget(); // outside a test (afterAll)
      }
    },
  };
}

const slug = (name: string): string => name.replace(/[^a-z0-9-]+/gi, '-').slice(0, 100);

async function savePicture(page: Page, fileName: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${fileName}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Every page checked, kept as a picture when asked (`SCREENSHOTS=all npm test`): a full-page
 * screenshot of each costed about a tenth of the browser files' CPU, for pictures nobody looked
 * at unless a test failed, and a failure keeps its own (failure-screenshots.ts).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS === 'all') await savePicture(page, slug(name));
}

/** Pictures of every page still open in this worker, named after the failed test; where each was saved. */
export async function screenshotOpenPages(test: { name: string; fullName: string }): Promise<string[]> {
  // The hash of the full name (file, describes, test) tells apart tests whose names slug alike.
  const base = `failed-${slug(test.name)}-${createHash('sha256').update(test.fullName).digest('hex').slice(0, 8)}`;
  const saved: string[] = [];
  const pages = [...openContexts].flatMap((context) => context.pages()).filter((page) => !page.isClosed());
  for (const [index, page] of pages.entries()) saved.push(await savePicture(page, `${base}${pages.length > 1 ? `-${index + 1}` : ''}`));
  return saved;
}

/** Contexts a test file left open (a file that never closed its own, say): closed so a later file's pictures leave them out. */
export async function closeLeftoverContexts(): Promise<void> {
  for (const context of [...openContexts]) {
    openContexts.delete(context);
    await context.close().catch(() => undefined);
  }
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
