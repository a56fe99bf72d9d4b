/**
 * Keyboard-first. On the built-in demo: Ctrl+K opens the command palette from anywhere, typing
 * narrows it, Enter goes there — a table of the demo, a connection's query page, a saved query
 * loaded into the editor — and `?` opens the shortcuts sheet. Then the main flows with the keyboard
 * alone — sign in, choose a connection, run a query, edit a cell (in the scratch PostgreSQL
 * database: the demo is read-only), copy a range of cells, open a document — with a visible focus
 * ring on every control Tab reaches. No mouse click in this file.
 */

import type { Page } from 'playwright-core';
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

/** What has focus, by tag and accessible name, and whether something visibly marks it. */
function focused(page: Page) {
  return page.evaluate(async () => {
    // Let the page finish reacting to the focus first (CodeMirror marks it in its next update).
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { name: '', ring: false, tag: 'BODY' };
    // CodeMirror marks focus on its outer editor, not on the contenteditable inside it.
    const editor = el.closest('.cm-editor') as HTMLElement | null;
    const marked = editor ?? el;
    const style = getComputedStyle(marked);
    const ring =
      (style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0) ||
      style.boxShadow !== 'none';
    const label = el.getAttribute('aria-label') ?? (el as HTMLInputElement).labels?.[0]?.textContent ?? '';
    const name = (label || el.textContent || '').trim().slice(0, 60);
    return { name, ring, tag: editor ? 'EDITOR' : el.tagName };
  });
}

/** Presses Tab until `match` holds for the focused control; every stop on the way must show focus. */
async function tabTo(page: Page, match: (f: { name: string; tag: string }) => boolean, unringed: string[]) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    // BODY: Tab went past the last control and is wrapping round (the page may still be loading).
    if (!f.ring && f.tag !== 'BODY') unringed.push(`${new URL(page.url()).pathname}: ${f.tag} "${f.name}"`);
    if (match(f)) return;
  }
  throw new Error('Tab never reached the control');
}

test('sign in, choose a connection, run a query, edit a cell, copy a range, open a document — keyboard only', async () => {
  const user = await launchBrowser(app.url);
  const { page } = user;
  await user.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  const unringed: string[] = [];
  const table = `kb_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  let scratch = '';
  const sql = (text: string) =>
    apiFromPage<{ results: { rows: unknown[][] }[] }>(
      page,
      `/api/connections/${encodeURIComponent(scratch)}/query`,
      'POST',
      {
        sql: text,
      },
    ).then((a) => a.results.at(-1)?.rows ?? []);
  try {
    // Set-up through the API: an account, a scratch connection with a small table, a document.
    const { email } = await signUp(page, 'Tab Walker');
    scratch = (
      await apiFromPage<{ id: string }>(page, '/api/connections', 'POST', {
        name: 'Scratch keys',
        engine: 'postgres',
        host: '127.0.0.1',
        port: 5432,
        database: 'atrium_test',
        user: 'postgres',
        sslMode: 'disable',
      })
    ).id;
    await sql(
      `create table ${table} (id int primary key, name text not null); insert into ${table} values (1, 'ada'), (2, 'bob'), (3, 'cy')`,
    );
    await apiFromPage(page, '/api/documents', 'POST', {
      title: 'Keyboard notes',
      connectionId: 'builtin:demo',
    });
    await user.context.clearCookies();

    // Sign in: the email field has focus on arrival; Tab to the password; Enter submits.
    await page.goto('/sign-in');
    await expect.poll(async () => (await focused(page)).tag, WAIT).toBe('INPUT');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('correct horse battery staple');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor(WAIT);

    // Choose a connection: the query page's picker, reached with Tab, changed with the arrows.
    await page.keyboard.press('Control+K');
    await page.keyboard.type('query chinook');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url(), WAIT).toMatch(/\/query\/builtin(%3A|:)demo$/);
    await page.locator('.cm-content').waitFor(WAIT);
    await tabTo(page, (f) => f.name === 'Connection', unringed);
    const steps = await page.evaluate((id) => {
      const select = document.activeElement;
      if (!(select instanceof HTMLSelectElement)) return 0;
      return [...select.options].findIndex((o) => o.value === id) - select.selectedIndex;
    }, scratch);
    for (let i = 0; i < Math.abs(steps); i++) await page.keyboard.press(steps > 0 ? 'ArrowDown' : 'ArrowUp');
    await expect.poll(() => decodeURIComponent(page.url()), WAIT).toContain(`/query/${scratch}`);

    // Run a query: Tab into the editor, replace the text, Ctrl+Enter.
    await page.locator('.cm-content').waitFor(WAIT);
    await tabTo(page, (f) => f.tag === 'EDITOR', unringed);
    await expect.poll(async () => page.locator('.cm-editor.cm-focused').count(), WAIT).toBe(1);
    await page.keyboard.press('Control+a');
    await page.keyboard.type(`select name from ${table} order by id`);
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.getByTestId('row-count').textContent(), WAIT).toBe('3 rows');

    // Edit a cell: the palette opens the table; Tab to the Data tab and then the grid; arrows, Enter, type, Enter.
    await page.keyboard.press('Control+K');
    await page.keyboard.type(`public.${table}`);
    await expect
      .poll(() => page.locator('.palette-item[aria-selected="true"]').textContent(), WAIT)
      .toContain(table);
    await page.keyboard.press('Enter');
    await page.getByTestId('table-details').waitFor(WAIT);
    await tabTo(page, (f) => f.tag === 'BUTTON' && f.name === 'Data', unringed);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('data-grid').getByTestId('row-count').textContent(), WAIT)
      .toBe('3 rows');
    await tabTo(page, (f) => f.name === `Rows of ${table}`, unringed);
    await page.keyboard.press('ArrowDown'); // the first arrow selects the first cell (1, id)
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown'); // bob's name
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page)).name, WAIT).toBe('Cell value');
    await page.keyboard.press('Control+a');
    await page.keyboard.type('bobby');
    await page.keyboard.press('Enter');
    await expect.poll(() => sql(`select name from ${table} where id = 2`), WAIT).toEqual([['bobby']]);
    await expect.poll(async () => (await focused(page)).name, WAIT).toBe(`Rows of ${table}`);

    // A range of cells: Shift+arrows from bobby down to cy; Ctrl+C copies it as TSV, and the
    // footer's SQL INSERT names the table the rows came from.
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(() => page.getByTestId('selected-rows').textContent(), WAIT).toContain('2 × 1 cells');
    await page.keyboard.press('Control+c');
    await expect.poll(clipboard, WAIT).toBe('name\r\nbobby\r\ncy');
    await tabTo(page, (f) => f.name === 'Copy selected cells as SQL INSERT', unringed);
    await page.keyboard.press('Enter');
    await expect
      .poll(clipboard, WAIT)
      .toBe(
        `INSERT INTO "public"."${table}" ("name") VALUES ('bobby');\nINSERT INTO "public"."${table}" ("name") VALUES ('cy');`,
      );

    // Open a document: the palette goes to Documents, Tab reaches the document's link, Enter opens it.
    await page.keyboard.press('Control+K');
    await page.keyboard.type('go to documents');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Documents', level: 1 }).waitFor(WAIT);
    await tabTo(page, (f) => f.tag === 'A' && f.name === 'Keyboard notes', unringed);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url(), WAIT).toMatch(/\/documents\/[^/]+$/);
    await page.getByTestId('room-status').waitFor(WAIT);

    // Visible focus: every control Tab reached on the way showed a focus ring.
    expect(unringed).toEqual([]);
    expect(user.errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
  } catch (err) {
    console.log(
      'failure screenshot:',
      await screenshot(page, 'keyboard-flows-failed'),
      user.errors,
      unringed,
    );
    throw err;
  } finally {
    if (scratch) await sql(`drop table if exists ${table}`).catch(() => undefined);
    await user.close();
  }
}, 240_000);
