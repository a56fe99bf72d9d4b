import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser.ts';
import { signUp } from './helpers.ts';

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

test('two pages on one document: typing in one appears in the other, with the remote cursor', async () => {
  const first = browser.page;
  first.on('console', (m) => m.text().startsWith('DEBUG') && console.log(m.text()));
  await signUp(first, 'Ada Lovelace');

  await first.goto('/documents');
  await first.getByTestId('new-document').click();
  await first.waitForURL(/\/documents\/[^/]+$/);
  await expect
    .poll(() => first.getByTestId('room-status').textContent(), { timeout: 20_000 })
    .toContain('Live')
    .catch(async (err) => {
      const id = first.url().split('/').pop()!;
      console.log(
        await screenshot(first, 'document-failed'),
        browser.errors,
        await first.evaluate(async (id) => {
          const r = await fetch(`/api/documents/${id}`, {
            headers: { Accept: 'application/json' },
            credentials: 'include',
          });
          return `${r.status} ${r.headers.get('content-type')} ${await r.text()}`;
        }, id),
      );
      throw err;
    });

  // Same user, second tab (same cookie jar): its own provider, its own awareness client.
  const second = await browser.context.newPage();
  await second.goto(first.url());
  await expect
    .poll(() => second.getByTestId('room-status').textContent(), { timeout: 20_000 })
    .toContain('Live');

  await first.locator('.cm-content').click();
  await first.keyboard.type('SELECT title FROM film WHERE length > 180;');

  await expect
    .poll(() => second.locator('.cm-content').textContent(), { timeout: 15_000 })
    .toContain('SELECT title FROM film WHERE length > 180;');
  // y-codemirror.next draws the other client's caret with its awareness name.
  await expect
    .poll(() => second.locator('.cm-ySelectionCaret').count(), { timeout: 15_000 })
    .toBeGreaterThan(0);
  await expect.poll(() => second.getByTestId('presence').locator('.avatar').count()).toBe(2);

  // And back the other way: the edit merges into the first page.
  await second.locator('.cm-content').click();
  await second.keyboard.press('Control+End');
  await second.keyboard.type('\n\nSELECT 2;');
  await expect
    .poll(() => first.locator('.cm-content').textContent(), { timeout: 15_000 })
    .toContain('SELECT 2;');

  console.log(
    'screenshots:',
    await screenshot(first, 'document-first'),
    await screenshot(second, 'document-second'),
  );
});
