/**
 * Phone (390 px) and tablet (768 px) widths, on the built-in demo only: the sidebar becomes a menu
 * behind a toggle, nothing widens the page sideways (wide grids scroll inside their own box), and
 * the dashboard, documents, a document being typed in, and query results stay usable. Screenshots
 * of every page at both widths land under the temp dir (atrium-narrow-*.png) for a person to look at.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, screenshot, type TestBrowser, WAIT } from '../support/browser.ts';
import { signUp } from './helpers.ts';

const WIDTHS = [390, 768] as const;
const DEMO = '/browser/builtin%3Ademo';

let app: AppServer;
let browser: TestBrowser;

beforeAll(async () => {
  app = await startAppServer({ localEndpoints: inject('localEndpoints') });
  browser = await launchBrowser(app.url);
  await signUp(browser.page, 'Narrow Reader');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** How far the page and its main region reach past the window's width (0 when nothing sticks out). */
function overflow(page: Page) {
  return page.evaluate(() => {
    const main = document.querySelector('main');
    return {
      page: document.documentElement.scrollWidth - window.innerWidth,
      main: main ? main.scrollWidth - main.clientWidth : 0,
    };
  });
}

async function expectFits(page: Page, name: string, width: number) {
  const shot = await screenshot(page, `narrow-${width}-${name}`);
  expect({ name, shot, ...(await overflow(page)) }).toEqual({ name, shot, page: 0, main: 0 });
}

describe.each(WIDTHS)('at %i px wide', (width) => {
  test('the sidebar is a menu that opens and closes', async () => {
    const { page } = browser;
    await page.setViewportSize({ width, height: 800 });
    await page.goto('/');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor(WAIT);
    const toggle = page.getByRole('button', { name: 'Menu' });
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await nav.isVisible()).toBe(false);

    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await nav.waitFor({ state: 'visible', ...WAIT });
    await screenshot(page, `narrow-${width}-menu-open`);

    // Escape closes it and gives focus back to the toggle.
    await page.keyboard.press('Escape');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await nav.isVisible()).toBe(false);
    expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);

    // Following a link navigates and closes the menu.
    await toggle.click();
    await nav.getByRole('link', { name: 'Documents' }).click();
    await page.getByRole('heading', { name: 'Documents', level: 1 }).waitFor(WAIT);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await nav.isVisible()).toBe(false);
  });

  test('every page fits the width; wide grids scroll inside their own box', async () => {
    const { page } = browser;
    await page.setViewportSize({ width, height: 800 });
    const visits: [string, string, () => Promise<unknown>][] = [
      ['dashboard', '/', () => page.getByTestId('connection-count').getByText('1').waitFor(WAIT)],
      ['connections', '/connections', () => page.getByTestId('connection-card').first().waitFor(WAIT)],
      [
        'connection-form',
        '/connections/new',
        () => page.getByRole('heading', { name: 'New connection' }).waitFor(WAIT),
      ],
      [
        'browser-erd',
        `${DEMO}?tab=erd`,
        () => page.locator('[data-table="main.Artist"]').first().waitFor(WAIT),
      ],
      [
        'browser-data',
        `${DEMO}?schema=main&table=Invoice&tab=data`,
        () => page.getByTestId('data-grid').getByRole('gridcell').first().waitFor(WAIT),
      ],
      [
        'documents',
        '/documents',
        () => page.getByRole('heading', { name: 'Documents', level: 1 }).waitFor(WAIT),
      ],
      ['settings', '/settings/tokens', () => page.getByRole('heading', { name: 'Settings' }).waitFor(WAIT)],
      ['audit', '/audit', () => page.getByTestId('audit-row').first().waitFor(WAIT)],
    ];
    for (const [name, url, ready] of visits) {
      await page.goto(url);
      await ready();
      await expectFits(page, name, width);
    }

    // The data grid is wider than a phone: it scrolls sideways inside its box, not the page.
    await page.goto(`${DEMO}?schema=main&table=Invoice&tab=data`);
    const grid = page.getByTestId('data-grid').getByRole('grid');
    await grid.getByRole('gridcell').first().waitFor(WAIT);
    const box = await grid.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    if (width === 390) expect(box.scroll).toBeGreaterThan(box.client);
    expect(box.client).toBeLessThanOrEqual(width);
  });

  test('a query runs and its results are readable', async () => {
    const { page } = browser;
    await page.setViewportSize({ width, height: 800 });
    await page.goto('/query/builtin%3Ademo');
    const editor = page.locator('.cm-content');
    await expect.poll(() => editor.textContent(), WAIT).toContain('FROM');
    await page.getByTestId('run').click();
    const results = page.getByTestId('results-grid');
    await results.getByText('Iron Maiden').first().waitFor(WAIT);
    // The first result cell is on screen, not pushed off to the side.
    const cell = await results.getByRole('gridcell').first().boundingBox();
    expect(cell && cell.x >= 0 && cell.x + 20 <= width).toBe(true);
    await expectFits(page, 'query-results', width);
  });

  test('a document can be read and typed in', async () => {
    const { page } = browser;
    await page.setViewportSize({ width, height: 800 });
    await page.goto('/documents');
    await page.getByTestId('new-document').click();
    await page.waitForURL(/\/documents\/[^/]+$/, WAIT);
    await expect.poll(() => page.getByTestId('room-status').textContent(), WAIT).toContain('Live');
    const editor = page.locator('.cm-content');
    await editor.click();
    await page.keyboard.type('SELECT Name FROM Artist LIMIT 3;');
    await expect.poll(() => editor.textContent(), WAIT).toContain('SELECT Name FROM Artist LIMIT 3;');
    const box = await editor.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= width).toBe(true);
    await expectFits(page, 'document', width);
  });
});
