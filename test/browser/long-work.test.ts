/**
 * Feedback on long work, on the built-in demo only (D1; no database server): a slow query shows
 * a ticking elapsed time and can be cancelled (the request is aborted, the page says so and runs
 * the next query); a finished run shows its request id; a refused export is a failure toast, and a
 * started one a success toast, and a schema sync's notice, each quoting the request id the server
 * sent in `X-Request-Id`.
 */
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, screenshot, type TestBrowser, WAIT } from '../support/browser.ts';
import { signUp } from './helpers.ts';

// Several seconds of work for D1 (a bounded recursive count), so it is still running when the
// test cancels it, even on a loaded machine. D1 cannot stop a statement, and local D1 serves one
// statement at a time, so the next request to D1 waits until it ends: hence no bigger. It ends
// with `)` so the editor opens no completion list (which would take the first Escape).
const SLOW_SQL =
  'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 25000000) SELECT count(*) AS c FROM (SELECT x FROM n)';

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

/** Seconds shown by an elapsed timer such as "1.3 s" or "1:05". */
function seconds(text: string | null): number {
  const t = (text ?? '').trim();
  const clock = /^(\d+):(\d\d)$/.exec(t);
  if (clock) return Number(clock[1]) * 60 + Number(clock[2]);
  return Number.parseFloat(t);
}

test('a slow query shows its elapsed time and Escape cancels it; toasts quote the request id', async () => {
  const { page } = browser;
  const aborted: string[] = [];
  page.on('requestfailed', (req) => {
    if (req.url().endsWith('/query')) aborted.push(req.failure()?.errorText ?? '');
  });
  const responseIds = new Map<string, string>();
  page.on('response', (res) => {
    const id = res.headers()['x-request-id'];
    if (id && new URL(res.url()).pathname.startsWith('/api/connections/')) responseIds.set(id, res.url());
  });
  try {
    await signUp(page, 'Lena Wait');
    await page.goto('/query/builtin%3Ademo');
    const editor = page.locator('.cm-content');
    await editor.waitFor(WAIT);
    const setSql = async (sql: string) => {
      await editor.click();
      await page.keyboard.press('Control+a');
      await page.keyboard.press('Delete');
      await editor.fill(sql);
      await expect.poll(() => editor.textContent(), WAIT).toBe(sql);
    };

    // The slow run: the Run button gives way to a status line whose elapsed time moves on.
    await setSql(SLOW_SQL);
    await page.keyboard.press('Control+Enter');
    const progress = page.getByTestId('query-progress');
    await progress.waitFor({ state: 'visible', ...WAIT });
    // One look at the whole line (few round trips: the statement must still be running after them).
    const line = () =>
      progress.evaluate((el) => ({
        status: el.querySelector('[role="status"]')?.textContent ?? '',
        elapsed: el.querySelector('[role="timer"]')?.textContent ?? '',
        cancel: [...el.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Cancel'),
        runButtons: document.querySelectorAll('[data-testid="run"]').length,
      }));
    const first = await line();
    expect(first).toMatchObject({ status: 'Running…', cancel: true, runButtons: 0 });
    await expect
      .poll(async () => seconds((await line()).elapsed), WAIT)
      .toBeGreaterThan(seconds(first.elapsed));

    // Escape cancels: the fetch is aborted, the page says so and offers Run again.
    await page.keyboard.press('Escape');
    await progress.waitFor({ state: 'hidden', ...WAIT });
    await expect.poll(() => page.getByTestId('query-error').textContent(), WAIT).toContain('cancelled');
    await expect.poll(() => aborted.length, WAIT).toBe(1);
    expect(aborted[0]).toContain('ERR_ABORTED');
    await page.getByTestId('run').waitFor(WAIT);

    // The next run completes (once D1 has finished the abandoned one) and shows its request id.
    await setSql('SELECT Name FROM Artist ORDER BY ArtistId LIMIT 3');
    await page.keyboard.press('Control+Enter');
    await expect
      .poll(() => page.getByTestId('row-count').textContent(), { ...WAIT, timeout: 90_000 })
      .toBe('3 rows');
    expect(await page.getByTestId('query-error').count()).toBe(0);
    const shownId = (await page.getByTestId('result-request-id').textContent()) ?? '';
    expect(responseIds.get(shownId)).toMatch(/\/api\/connections\/builtin%3Ademo\/query$/);

    // A script runs, but an export takes one statement: the refusal is an error toast with its request id.
    await setSql('SELECT 1 AS a; SELECT 2 AS b');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.locator('.result-tabs button').count(), WAIT).toBe(2);
    await page.getByRole('button', { name: 'CSV' }).click();
    const failure = page.locator('[data-testid="toast"].error');
    await failure.waitFor({ state: 'visible', ...WAIT });
    expect(await failure.textContent()).toContain('Export refused');
    const failedId = (await failure.getByTestId('toast-request-id').textContent()) ?? '';
    expect(responseIds.get(failedId)).toMatch(/\/export\/tickets$/);

    // A started export is a toast with the ticket's request id; the browser downloads the file.
    await setSql('SELECT Name FROM Artist LIMIT 2');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.getByTestId('row-count').textContent(), WAIT).toBe('2 rows');
    const [download] = await Promise.all([
      page.waitForEvent('download', WAIT),
      page.getByRole('button', { name: 'CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('query-result.csv');
    const started = page.locator('[data-testid="toast"].info');
    await started.waitFor({ state: 'visible', ...WAIT });
    expect(await started.textContent()).toContain('downloading');
    const ticketId = (await started.getByTestId('toast-request-id').textContent()) ?? '';
    expect(ticketId).not.toBe(failedId);
    expect(responseIds.get(ticketId)).toMatch(/\/export\/tickets$/);

    // A schema sync's outcome quotes its request id too.
    await page.goto('/browser/builtin%3Ademo');
    await page.getByTestId('sync').click();
    const notice = page.getByTestId('browser-notice');
    await expect.poll(() => notice.textContent(), WAIT).toMatch(/Synced \d+ tables/);
    const syncId = (await notice.locator('code').textContent()) ?? '';
    expect(responseIds.get(syncId)).toMatch(/\/api\/connections\/builtin%3Ademo\/sync$/);

    expect(browser.errors.filter((e) => !e.includes('status of 4'))).toEqual([]);
  } catch (err) {
    console.log('failure screenshot:', await screenshot(page, 'long-work-failed'), browser.errors);
    throw err;
  }
}, 180_000);
