import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser.ts';
import { apiFromPage, createPagilaConnection, signUp } from './helpers.ts';

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

test('write a query with autocomplete, run it, see the chart, export CSV', async () => {
  const page = browser.page;
  await signUp(page);
  const connectionId = await createPagilaConnection(page);
  // Autocomplete reads the synced schema.
  await apiFromPage(page, `/api/connections/${connectionId}/sync`, 'POST', {});
  await page.evaluate(() => localStorage.removeItem('atrium.query.draft'));

  await page.goto(`/query/${connectionId}`);
  await expect.poll(() => page.getByText('tables in autocomplete').count(), { timeout: 15_000 }).toBe(1);
  const editor = page.locator('.cm-content');
  await editor.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await page.keyboard.type('SELECT rating, count(*) AS films FROM fil');
  // The completion list offers the synced table; picking it completes the word.
  // (Clicked, not Enter: CodeMirror ignores Enter for a moment after the list opens.)
  const option = page.locator('.cm-tooltip-autocomplete li', { hasText: /^film/ }).first();
  await option.waitFor({ timeout: 10_000 });
  await option.click();
  await editor.click();
  await page.keyboard.press('End');
  await page.keyboard.type(' GROUP BY rating ORDER BY rating');
  await expect
    .poll(() => editor.textContent())
    .toBe('SELECT rating, count(*) AS films FROM film GROUP BY rating ORDER BY rating');

  await page.keyboard.press('Control+Enter');
  await expect.poll(() => page.getByTestId('row-count').textContent(), { timeout: 20_000 }).toBe('5 rows');
  await expect.poll(() => page.getByTestId('results-grid').textContent()).toContain('PG-13');
  console.log('screenshot:', await screenshot(page, 'query-grid'));

  await page.getByRole('button', { name: 'Chart' }).click();
  await page.getByTestId('plot').locator('canvas').first().waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: 'pie' }).click();
  await expect.poll(() => page.getByTestId('pie').locator('path').count()).toBe(5);
  await page.getByRole('button', { name: 'bar' }).click();
  await page.getByTestId('plot').locator('canvas').first().waitFor();
  console.log('screenshot:', await screenshot(page, 'query-chart'));

  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 20_000 }),
    page.getByRole('button', { name: 'CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('query-result.csv');
  const csv = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(csv[0]).toBe('rating,films');
  expect(csv).toHaveLength(6);
  const total = csv.slice(1).reduce((sum, line) => sum + Number(line.split(',')[1]), 0);
  expect(total).toBe(1000);

  // History shows the statement just run; picking it loads it back into the editor.
  const sql = 'SELECT rating, count(*) AS films FROM film GROUP BY rating ORDER BY rating';
  const entry = page.getByTestId('history-panel').locator('.side-item').first();
  await expect.poll(() => entry.locator('code').textContent(), { timeout: 10_000 }).toBe(sql);
  expect(await entry.locator('code').isVisible()).toBe(true);
  await editor.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await expect.poll(() => editor.textContent()).toBe('');
  await entry.click();
  await expect.poll(() => editor.textContent()).toBe(sql);
  console.log('screenshot:', await screenshot(page, 'query-history'));
  expect(browser.errors.filter((e) => !e.includes('401'))).toEqual([]);
});
