/**
 * Keyboard-first, on the built-in demo only: Ctrl+K opens the command palette from anywhere,
 * typing narrows it, Enter goes there — a table of the demo, a connection's query page, a saved
 * query loaded into the editor — and `?` opens the shortcuts sheet. No mouse click in this file.
 */
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, screenshot, type TestBrowser, WAIT } from '../support/browser.ts';
import { apiFromPage, signUp } from './helpers.ts';

let app: AppServer;
let browser: TestBrowser;

beforeAll(async () => {
  app = await startAppServer({ localEndpoints: inject('localEndpoints') });
  browser = await launchBrowser(app.url);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

test('the command palette jumps to a table, a connection and a saved query; ? lists the shortcuts', async () => {
  const { page } = browser;
  try {
    await signUp(page, 'Kay Board');
    await apiFromPage(page, '/api/saved-queries', 'POST', {
      name: 'Longest tracks',
      sql: 'SELECT Name FROM Track ORDER BY Milliseconds DESC LIMIT 5',
      connectionId: 'builtin:demo',
    });
    await page.goto('/');
    await page.getByTestId('connection-count').getByText('1').waitFor(WAIT);

    const palette = page.getByRole('dialog', { name: 'Command palette' });
    const search = palette.getByRole('combobox');
    const active = () => palette.locator('[role="option"][aria-selected="true"]').textContent();

    // A table of the demo (the only connection, so the one the palette lists tables for).
    await page.keyboard.press('Control+K');
    await palette.waitFor({ state: 'visible', ...WAIT });
    expect(await search.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('main.Artist');
    await expect.poll(active, WAIT).toContain('main.Artist');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url(), WAIT).toMatch(/\/browser\/builtin(%3A|:)demo\?.*table=Artist/);
    expect(await palette.isVisible()).toBe(false);
    await page.getByText('ArtistId').first().waitFor(WAIT);

    // A connection's query page, by a few letters of "Query Chinook demo"; the arrows move the choice.
    await page.keyboard.press('Control+K');
    await page.keyboard.type('query chinook');
    await expect.poll(active, WAIT).toContain('Chinook demo');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url(), WAIT).toMatch(/\/query\/builtin(%3A|:)demo$/);

    // A saved query lands in the editor of the page already open.
    await page.locator('.cm-content').waitFor(WAIT);
    await page.keyboard.press('Control+K');
    await page.keyboard.type('longest');
    await expect.poll(active, WAIT).toContain('Longest tracks');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('.cm-content').textContent(), WAIT)
      .toContain('ORDER BY Milliseconds');

    // Escape closes the palette without going anywhere.
    const before = page.url();
    await page.keyboard.press('Control+K');
    await palette.waitFor({ state: 'visible', ...WAIT });
    await page.keyboard.press('Escape');
    await palette.waitFor({ state: 'hidden', ...WAIT });
    expect(page.url()).toBe(before);

    // `?` outside a text field opens the shortcuts sheet; Escape closes it.
    await page.keyboard.press('Control+K');
    await page.keyboard.type('go to documents');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Documents', level: 1 }).waitFor(WAIT);
    await page.locator('body').press('?');
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.waitFor({ state: 'visible', ...WAIT });
    expect(await sheet.textContent()).toContain('Ctrl+Enter');
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'hidden', ...WAIT });

    expect(browser.errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
  } catch (err) {
    console.log('failure screenshot:', await screenshot(page, 'keyboard-failed'), browser.errors);
    throw err;
  }
}, 180_000);
