/// <reference lib="dom" />
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BrowserContext, Page, Response, chromium } from 'playwright-core';
import { TestService, startService } from './app';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');
const AXE = require.resolve('axe-core/axe.min.js');
/** WCAG 2.2 A and AA, and the 2.0 and 2.1 rules they include. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

export type Browser = Readonly<{ context: BrowserContext; close: () => Promise<void> }>;

/** Debian's Chromium, headless, with a fresh profile: no network beyond the service under test. */
export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export type AxeViolation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };

/** Runs axe-core in the page at WCAG 2.2 A and AA; answers the violations, each with where it is. */
export async function accessibilityViolations(page: Page): Promise<{ id: string; help: string; targets: string[] }[]> {
  // Evaluated through the DevTools protocol, which the pages' CSP (no inline script) rightly does not let a script tag do.
  await page.evaluate(await readFile(AXE, 'utf8'));
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } })
      .axe;
    return (await axe.run(document, { runOnly: { type: 'tag', values: tags } })).violations;
  }, WCAG_TAGS);
  return violations.map((violation) => ({
    id: violation.id,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(' ')),
  }));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Extracts a PDF's text page by page in a child process: PDF.js loads its worker by dynamic import, which Jest's VM refuses. */
const PDF_TEXT = `const { PDFParse } = require('pdf-parse');
(async () => {
  const parser = new PDFParse({ data: require('node:fs').readFileSync(process.argv[1]) });
  const { pages } = await parser.getText();
  await parser.destroy();
  process.stdout.write(JSON.stringify(pages.map((page) => page.text)));
})();`;

/** The page printed as the browser prints it (A4), and the text of each printed sheet. */
export async function printedPages(page: Page): Promise<string[]> {
  const folder = await mkdtemp(join(tmpdir(), 'printed-'));
  try {
    const file = join(folder, 'page.pdf');
    await page.pdf({ path: file, format: 'A4', printBackground: true });
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', PDF_TEXT, file], { cwd: join(__dirname, '..', '..') });
    return JSON.parse(stdout) as string[];
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Signs in afresh on the development sign-in page as one of the demonstration users. */
export async function signInOnPage(page: Page, serviceUrl: string, userId: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${serviceUrl}/sign-in`);
  await page.check(`input[name="user"][value="${userId}"]`);
  await page.click('button:has-text("Sign in")');
}

export type DemoInBrowser = {
  service: TestService;
  page: Page;
  /** Opens a path of the service; answers the navigation's response. */
  go: (path: string) => Promise<Response>;
  /** Signs in afresh as one of the demonstration users. */
  signIn: (userId: string) => Promise<void>;
};

/**
 * The demonstration partnership served to a real browser, for the describe block that calls it:
 * started before its tests and stopped after them. Its fields are set once the block's tests start.
 */
export function demoInBrowser(): DemoInBrowser {
  let browser: Browser | undefined;
  const demo = {
    go: async (path: string) => (await demo.page.goto(`${demo.service.url}${path}`))!,
    signIn: (userId: string) => signInOnPage(demo.page, demo.service.url, userId),
  } as DemoInBrowser;
  beforeAll(async () => {
    demo.service = await startService({ env: { DEMO: 'on' } });
    browser = await launchBrowser();
    demo.page = await browser.context.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await demo.service?.close();
  });
  return demo;
}
