import mysql from 'mysql2/promise';
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

/** A MariaDB table with what only MySQL/MariaDB declare on a table itself, in a scratch database of its own. */
const MARIADB_TABLES = [
  `create table sales (id int not null, sold date not null, note varchar(40) invisible default 'none',
    doubled int as (id * 2) virtual, title varchar(200), primary key (id, sold),
    fulltext key ft (title), key pre (title(10)))
    partition by range (year(sold)) (
      partition p2020 values less than (2021) comment 'first year', partition pmax values less than maxvalue)`,
  `create table ledger (id int primary key, amount int,
    rs timestamp(6) generated always as row start invisible, re timestamp(6) generated always as row end invisible,
    period for system_time (rs, re)) with system versioning partition by system_time limit 100 partitions 2`,
];

test('a MariaDB table shows its partitions, system versioning, column markers and index kinds', async () => {
  const page = browser.page;
  const database = `atrium_browser_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    await signUp(page, 'Grace Hopper');
    await admin.query(`create database \`${database}\``);
    await admin.changeUser({ database });
    for (const sql of MARIADB_TABLES) await admin.query(sql);
    const { id } = await apiFromPage<{ id: string }>(page, '/api/connections', 'POST', {
      name: 'MariaDB partitions',
      engine: 'mysql',
      host: '127.0.0.1',
      port: 3306,
      database,
      user: 'root',
    });
    await page.goto(`/browser/${id}`);
    await page.getByTestId('sync').click();
    await expect
      .poll(() => page.getByTestId('browser-notice').textContent(), { timeout: 60_000 })
      .toMatch(/Synced 2 tables/);

    await page.goto(`/browser/${id}?schema=${database}&table=sales`);
    const details = page.getByTestId('table-details');
    await details.waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('partition-method').textContent()).toBe('RANGE (year(`sold`))');
    await expect
      .poll(() => page.locator('[data-partition="p2020"]').textContent())
      .toBe('p2020LESS THAN (2021)first year');
    await expect
      .poll(() => page.locator('[data-partition="pmax"]').textContent())
      .toContain('LESS THAN MAXVALUE');
    await expect.poll(() => details.locator('[data-column="note"]').textContent()).toContain('invisible');
    await expect
      .poll(() => details.locator('[data-column="doubled"]').textContent())
      .toContain('generated virtual');
    await expect.poll(() => details.locator('[data-index="ft"]').textContent()).toContain('fulltext');
    await expect.poll(() => details.locator('[data-index="pre"]').textContent()).toContain('(title(10))');
    expect(await page.getByTestId('system-versioned').count()).toBe(0);
    console.log('screenshot:', await screenshot(page, 'browser-mariadb-partitions'));

    await page.goto(`/browser/${id}?schema=${database}&table=ledger`);
    await page.getByTestId('system-versioned').waitFor({ timeout: 15_000 });
    await expect
      .poll(() => details.locator('[data-column="rs"]').textContent())
      .toMatch(/row start.*invisible/);
    await expect.poll(() => page.getByTestId('partition-method').textContent()).toBe('SYSTEM_TIME LIMIT 100');
    await expect.poll(() => page.locator('[data-partition="pn"]').textContent()).toBe('pncurrent rows');
  } catch (err) {
    console.log('failure screenshot:', await screenshot(page, 'browser-mariadb-failed'), browser.errors);
    throw err;
  } finally {
    await admin.query(`drop database if exists \`${database}\``);
    await admin.end();
  }
}, 120_000);
