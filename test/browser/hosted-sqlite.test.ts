/**
 * The hosted-SQLite page: create a database, import a SQL dump from a file (progress, then the
 * refused statement's line), see its size against the Durable Object limit, query it as a
 * connection, and drop it by typing its name.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, type TestBrowser, WAIT } from '../support/browser.ts';
import { apiFromPage, signUp } from './helpers.ts';

let app: AppServer;
let browser: TestBrowser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atrium-hosted-'));
  app = await startAppServer();
  browser = await launchBrowser(app.url);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('create a hosted database, import a dump with a bad line, query it, drop it', async () => {
  const page = browser.page;
  await signUp(page, 'Grace Hopper');
  const rows = Array.from({ length: 300 }, (_, i) => `INSERT INTO song VALUES(${i + 1},'Song ${i + 1}');`);
  const dump = [
    'PRAGMA foreign_keys=OFF;',
    'BEGIN TRANSACTION;',
    'CREATE TABLE song (id INTEGER PRIMARY KEY, title TEXT);',
    ...rows,
    'INSERT INTO nowhere VALUES(1);',
    'COMMIT;',
  ].join('\n');
  const file = join(dir, 'songs.sql');
  writeFileSync(file, dump);

  await page.goto('/hosted');
  await page.getByLabel('Name').fill('Songs');
  await page.getByRole('button', { name: 'Create database' }).click();
  const card = page.getByTestId('hosted-database');
  await expect.poll(() => card.count(), WAIT).toBe(1);
  await expect.poll(() => card.textContent(), WAIT).toContain('of 10.0 GB');

  await card.locator('input[type="file"]').setInputFiles(file);
  await expect
    .poll(() => card.textContent(), WAIT)
    .toContain('Imported: 301 statements ran, 1 refused, 3 skipped.');
  // The refused statement is on line 304 (3 lines of preamble, then 300 rows).
  expect(await card.textContent()).toContain('Line 304: no such table: nowhere');

  const [db] = await apiFromPage<{ items: { id: string; sizeBytes: number }[] }>(
    page,
    '/api/hosted-databases',
  ).then((r) => r.items);
  expect(db!.sizeBytes).toBeGreaterThan(0);
  const result = await apiFromPage<{ results: { rows: unknown[][] }[] }>(
    page,
    `/api/connections/${db!.id}/query`,
    'POST',
    { sql: 'select count(*) from song' },
  );
  expect(result.results[0]!.rows).toEqual([[300]]);

  const drop = card.getByRole('button', { name: 'Drop database' });
  expect(await drop.isDisabled()).toBe(true);
  await card.getByLabel(/to drop it and all its data/).fill('Songs');
  await drop.click();
  await expect.poll(() => card.count(), WAIT).toBe(0);
  // The sign-in page asks who is signed in before anyone is: that one 401 is expected.
  expect(browser.errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
});
