/**
 * The Browser page's Data tab on a real table in the scratch PostgreSQL database: sort, filter,
 * inline edit, add and delete rows, import a CSV file, each checked against the database through
 * the query API.
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

type QueryAnswer = { results: { rows: unknown[][] }[] };

test('sort, filter, edit a cell, add and delete a row, import CSV in the Data tab', async () => {
  const page = browser.page;
  // Dialogs (the delete confirmation) are accepted; playwright dismisses them otherwise.
  page.on('dialog', (dialog) => void dialog.accept());
  try {
    await walkThrough();
  } catch (err) {
    console.log('failure screenshot:', await screenshot(page, 'data-grid-failed'), browser.errors);
    throw err;
  }
}, 180_000);

async function walkThrough() {
  const page = browser.page;
  await signUp(page);
  const { id } = await apiFromPage<{ id: string }>(page, '/api/connections', 'POST', {
    name: 'Scratch',
    engine: 'postgres',
    host: '127.0.0.1',
    port: 5432,
    database: 'atrium_test',
    user: 'postgres',
    sslMode: 'disable',
  });
  const table = `grid_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const query = async (sql: string): Promise<unknown[][]> => {
    const answer = await apiFromPage<QueryAnswer>(page, `/api/connections/${id}/query`, 'POST', { sql });
    return answer.results.at(-1)?.rows ?? [];
  };
  await query(
    `create table ${table} (id int primary key, name text not null, score int);
     insert into ${table} values (1, 'ada', 30), (2, 'bob', 10), (3, 'cy', 20), (4, 'dee', null)`,
  );
  try {
    await page.goto(`/browser/${id}?schema=public&table=${table}&tab=data`);
    const grid = page.getByTestId('data-grid');
    const count = grid.getByTestId('row-count');
    const column = (col: number) =>
      grid.locator(`[data-cell][data-col="${col}"]`).evaluateAll((cells) => cells.map((c) => c.textContent));
    await expect.poll(() => count.textContent(), WAIT).toBe('4 rows');

    // Sort by score, descending on the second click (NULLs follow PostgreSQL's ordering).
    const scoreHeader = grid.locator('.grid-head-button', { hasText: 'score' });
    await scoreHeader.click();
    await expect.poll(() => column(1), WAIT).toEqual(['bob', 'cy', 'ada', 'dee']);
    await scoreHeader.click();
    await expect.poll(() => column(1), WAIT).toEqual(['dee', 'ada', 'cy', 'bob']);
    await scoreHeader.click(); // third click: back to primary-key order
    await expect.poll(() => column(1), WAIT).toEqual(['ada', 'bob', 'cy', 'dee']);

    // Filter: score > 15.
    await grid.getByRole('button', { name: '+ Filter' }).click();
    await grid.getByLabel('Filter column').selectOption('score');
    await grid.getByLabel('Filter operator').selectOption('gt');
    await grid.getByLabel('Filter value').fill('15');
    await grid.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => column(1), WAIT).toEqual(['ada', 'cy']);
    // Removing the last filter shows every row again (there is no Apply button left to press).
    await grid.getByLabel('Remove filter').click();
    await expect.poll(() => count.textContent(), WAIT).toBe('4 rows');

    // Inline edit: double-click bob's name, type, Enter.
    await grid.locator('[data-cell][data-row="1"][data-col="1"]').dblclick();
    const input = grid.getByLabel('Cell value');
    await input.fill('bobby');
    await input.press('Enter');
    await expect.poll(() => column(1), WAIT).toEqual(['ada', 'bobby', 'cy', 'dee']);
    expect(await query(`select name from ${table} where id = 2`)).toEqual([['bobby']]);

    // Add a row; the empty score is left to its default (NULL).
    await grid.getByRole('button', { name: '+ Row' }).click();
    const form = grid.locator('form.add-row');
    await form.getByLabel(/^id/).fill('5');
    await form.getByLabel(/^name/).fill('eve');
    console.log('screenshot:', await screenshot(page, 'data-grid-add'));
    await form.getByRole('button', { name: 'Insert' }).click();
    await expect.poll(() => count.textContent(), WAIT).toBe('5 rows');
    expect(await query(`select id, name, score from ${table} where id = 5`)).toEqual([[5, 'eve', null]]);

    // Delete the first row (ada) after selecting it.
    await grid.locator('[data-cell][data-row="0"][data-col="1"]').click();
    await grid.getByRole('button', { name: 'Delete row' }).click();
    await expect.poll(() => count.textContent(), WAIT).toBe('4 rows');
    expect(await query(`select id from ${table} order by id`)).toEqual([[2], [3], [4], [5]]);
    // The reload drops the selection instead of leaving it on whichever row moved into its place.
    expect(await grid.locator('[data-cell].selected').count()).toBe(0);
    await expect.poll(() => grid.getByRole('button', { name: 'Delete row' }).isDisabled()).toBe(true);
    // Import CSV: the file streams up with its progress shown; a toast reports the rows and the
    // request id, and the grid reloads with them.
    await grid.getByLabel('Import CSV').setInputFiles({
      name: 'more.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('id,name,score\n10,imp1,1\n11,imp2,\n'),
    });
    const toast = page.locator('[data-testid="toast"].success', { hasText: 'Imported 2 rows' });
    await toast.waitFor({ state: 'visible', ...WAIT });
    expect(await toast.getByTestId('toast-request-id').textContent()).toMatch(/^[\w-]{8,}$/);
    await expect.poll(() => count.textContent(), WAIT).toBe('6 rows');
    expect(await query(`select id, name, score from ${table} where id >= 10 order by id`)).toEqual([
      [10, 'imp1', 1],
      [11, 'imp2', null],
    ]);
    console.log('screenshot:', await screenshot(page, 'data-grid'));
    expect(browser.errors.filter((e) => !e.includes('401'))).toEqual([]);
  } finally {
    await query(`drop table if exists ${table}`);
  }
}
