/**
 * A newcomer's first minutes, on the embedded default only (the built-in Chinook demo on D1; no
 * PostgreSQL or MariaDB connection is made): sign up through the form, browse the demo, read a
 * table's data, open the SQL editor from the dashboard and run the example query with Ctrl+Enter,
 * chart it and export it. The demo's id (`builtin:demo`) needs URL encoding, so this is the path
 * on which an id encoded twice would fail.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, screenshot, type TestBrowser, WAIT } from '../support/browser.ts';

let app: AppServer;
let browser: TestBrowser;

beforeAll(async () => {
  app = await startAppServer();
  browser = await launchBrowser(app.url);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

test('sign up, browse the demo, run the first query, chart and export it', async () => {
  const page = browser.page;
  const apiPaths: string[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith('/api/connections/')) apiPaths.push(url.pathname);
  });
  try {
    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('Newcomer');
    await page.getByLabel('Email').fill(`newcomer-${Date.now()}@atrium.test`);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor(WAIT);

    // Browse the demo → a table → its Data tab.
    await page.getByRole('link', { name: 'Browse the demo database' }).click();
    const tree = page.getByTestId('schema-tree');
    const artist = tree.locator('[data-table="main.Artist"]');
    await expect.poll(() => artist.count(), WAIT).toBe(1);
    await artist.click();
    await page.getByRole('button', { name: 'Data', exact: true }).click();
    await expect.poll(() => page.getByTestId('data-grid').textContent(), WAIT).toContain('AC/DC');

    // Dashboard → "Open the SQL editor" lands on the demo with an example query ready to run.
    await page.getByRole('link', { name: 'Dashboard' }).first().click();
    await page.getByRole('link', { name: 'Open the SQL editor' }).click();
    await expect.poll(() => page.url(), WAIT).toContain('/query/builtin');
    const editor = page.locator('.cm-content');
    await expect.poll(() => editor.textContent(), WAIT).toContain('FROM Artist');
    await editor.click();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.getByTestId('row-count').textContent(), WAIT).toBe('10 rows');
    await expect.poll(() => page.getByTestId('results-grid').textContent(), WAIT).toContain('Iron Maiden');

    await page.getByRole('button', { name: 'Chart' }).click();
    await page.getByTestId('plot').locator('canvas').first().waitFor(WAIT);

    const [download] = await Promise.all([
      page.waitForEvent('download', WAIT),
      page.getByRole('button', { name: 'CSV' }).click(),
    ]);
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync((await download.path()) ?? '', 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(csv[0]).toBe('artist,albums');
    expect(csv).toHaveLength(11);

    // Every API path named the demo with its id encoded exactly once.
    const demoPaths = apiPaths.filter((p) => p.includes('builtin'));
    expect(demoPaths.length).toBeGreaterThan(0);
    for (const p of demoPaths) expect(p).toMatch(/^\/api\/connections\/builtin(%3A|:)demo(\/|$)/);
    // The sign-up page asks /api/me before anyone is signed in; that 401 is the expected answer.
    expect(browser.errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
  } catch (err) {
    console.log('failure screenshot:', await screenshot(page, 'newcomer-failed'), browser.errors);
    throw err;
  }
}, 180_000);
