import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser.ts';
import { createPagilaConnection, signUp } from './helpers.ts';

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

test('sync Pagila, expand film, see its foreign keys, open the ER diagram', async () => {
  const page = browser.page;
  try {
    await walkThrough();
  } catch (err) {
    console.log('failure screenshot:', await screenshot(page, 'browser-failed'), browser.errors);
    throw err;
  }
}, 120_000);

async function walkThrough() {
  const page = browser.page;
  await signUp(page);
  const connectionId = await createPagilaConnection(page);

  await page.goto(`/browser/${connectionId}`);
  await page.getByTestId('sync').click();
  await expect
    .poll(() => page.getByTestId('browser-notice').textContent(), { timeout: 60_000 })
    .toMatch(/Synced \d+ tables/);
  await expect.poll(() => page.getByTestId('synced-at').textContent()).toContain('just now');

  const film = page.locator('[data-table="public.film"]');
  await film.waitFor({ timeout: 15_000 });
  // Routines and triggers have groups of their own under the schema.
  const functions = page.locator('[data-object-group="function"]');
  await functions.locator('summary').click();
  await functions.locator('[data-object="function:film_in_stock"]').waitFor({ timeout: 15_000 });
  await expect.poll(() => page.locator('[data-object-group="trigger"] .count').textContent()).toBe('15');
  await expect.poll(() => film.textContent()).toMatch(/PK.*FK2/);
  await film.click();

  const details = page.getByTestId('table-details');
  await details.waitFor({ timeout: 15_000 });
  const fksOut = page.getByTestId('fk-out');
  await expect.poll(() => fksOut.textContent()).toContain('public.language');
  await expect.poll(() => fksOut.locator('li').count()).toBe(2);
  await expect.poll(() => page.getByTestId('fk-in').textContent()).toContain('public.inventory');
  console.log('screenshot:', await screenshot(page, 'browser-film'));

  await page.getByRole('button', { name: 'ER diagram' }).click();
  const node = page.locator('[data-erd-node="public.film"]');
  await node.waitFor({ timeout: 15_000 });
  await expect.poll(() => page.locator('.erd-edge').count()).toBeGreaterThan(10);
  await page.getByRole('button', { name: 'Fit' }).click();
  console.log('screenshot:', await screenshot(page, 'browser-erd'));

  // Clicking a table in the diagram opens its details.
  await page.locator('[data-erd-node="public.actor"]').click();
  await expect.poll(() => page.getByTestId('table-details').textContent()).toContain('first_name');
  expect(page.url()).toContain('table=actor');
}
