import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser.ts';

let app: AppServer;
let browser: TestBrowser;

beforeAll(async () => {
  app = await startAppServer({ localEndpoints: inject('localEndpoints') });
  browser = await launchBrowser(app.url);
  const { page } = browser;
  // A fresh user owns a fresh personal organization, so may manage connections.
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill('Connie Admin');
  await page.getByLabel('Email').fill(`connie-${Date.now()}@example.com`);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('connections in the browser', () => {
  it('creates a PostgreSQL connection from the form, tests it, and shows it green', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Connections' }).first().click();
    await page.getByRole('link', { name: 'New connection' }).click();
    await page.waitForURL('**/connections/new');

    const form = page.getByRole('form', { name: 'Connection' });
    await form.getByLabel('Name').fill('Pagila (local)');
    await form.getByLabel('Engine').selectOption('postgres');
    await form.getByLabel('Host').fill('127.0.0.1');
    await form.getByLabel('Port').fill('5432');
    await form.getByLabel('Database').fill('pagila');
    await form.getByLabel('User').fill('postgres');
    await form.getByLabel('Tags').fill('sample, postgres');

    await form.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('test-result');
    await expect.poll(() => result.textContent()).toMatch(/^Connected in \d+ ms · .*PostgreSQL/i);
    await screenshot(page, 'connection-form');

    await form.getByRole('button', { name: 'Save connection' }).click();
    await page.waitForURL(/\/connections$/);
    const card = page.getByTestId('connection-card').filter({ hasText: 'Pagila (local)' });
    await card.waitFor();
    await expect.poll(() => card.getByTestId('connection-status').getAttribute('data-state')).toBe('ok');
    expect(await card.textContent()).toContain('postgres@127.0.0.1:5432/pagila');
    await screenshot(page, 'connections');

    // The status is the server's stored result: it survives a reload.
    await page.reload();
    await expect
      .poll(() =>
        page
          .getByTestId('connection-card')
          .filter({ hasText: 'Pagila (local)' })
          .getByTestId('connection-status')
          .getAttribute('data-state'),
      )
      .toBe('ok');
  });

  it('shows a failing test in red with the reason, without saving anything', async () => {
    const { page } = browser;
    await page.goto('/connections/new');
    const form = page.getByRole('form', { name: 'Connection' });
    await form.getByLabel('Name').fill('Nowhere');
    await form.getByLabel('Host').fill('127.0.0.1');
    await form.getByLabel('Port').fill('1');
    await form.getByLabel('Database').fill('pagila');
    await form.getByLabel('User').fill('postgres');
    await form.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('test-result');
    await expect.poll(() => result.getAttribute('class')).toContain('error');
    expect(await result.textContent()).toMatch(/\(\w+\)$/);
    await page.goto('/connections');
    await page.getByTestId('connection-card').first().waitFor();
    expect(await page.getByTestId('connection-card').filter({ hasText: 'Nowhere' }).count()).toBe(0);
  });

  it('toggles a connection inactive, and deletes it after confirmation', async () => {
    const { page } = browser;
    await page.goto('/connections');
    const card = page.getByTestId('connection-card').filter({ hasText: 'Pagila (local)' });
    await card.getByRole('checkbox', { name: 'Pagila (local) active' }).uncheck();
    await expect.poll(() => card.getAttribute('class')).toContain('inactive');
    await page.reload();
    await expect
      .poll(() =>
        page.getByTestId('connection-card').filter({ hasText: 'Pagila (local)' }).getAttribute('class'),
      )
      .toContain('inactive');

    const again = page.getByTestId('connection-card').filter({ hasText: 'Pagila (local)' });
    await again.getByRole('button', { name: 'Delete Pagila (local)' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect
      .poll(() => page.getByTestId('connection-card').filter({ hasText: 'Pagila (local)' }).count())
      .toBe(0);
    await page.reload();
    await page.getByTestId('connection-card').first().waitFor();
    expect(await page.getByTestId('connection-card').filter({ hasText: 'Pagila (local)' }).count()).toBe(0);
  });
});
