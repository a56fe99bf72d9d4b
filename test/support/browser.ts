/**
 * Debian's Chromium driven by playwright-core: headless, no background network,
 * a throw-away profile (--user-data-dir) per launch. A second user is a second
 * launch, so cookies and storage never mix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * For `expect.poll`: how long to wait for the UI to settle. Generous because
 * several wrangler+Chromium pairs share two cores in CI; a wait, not a timing assertion.
 */
export const WAIT = { timeout: 20_000, interval: 100 };

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Every console error and uncaught page error seen so far (a page that throws fails its test). */
  errors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(
  baseURL: string,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'atrium-chromium-'));
  // launchPersistentContext is playwright's way to pass --user-data-dir (it refuses the raw flag).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    baseURL,
    viewport: { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under the temp dir for a person to look at; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(tmpdir(), `atrium-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
