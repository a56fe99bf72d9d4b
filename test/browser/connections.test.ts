import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, screenshot, type TestBrowser, WAIT } from '../support/browser.ts';

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
    await form.getByLabel('User', { exact: true }).fill('postgres');
    await form.getByLabel('Tags').fill('sample, postgres');
    // Automatic already means TCP for this host; choosing it shows the choice is stored as asked.
    expect(await form.getByLabel('Connect via').locator('option').first().textContent()).toBe(
      'Automatic (TCP)',
    );
    await form.getByLabel('Connect via').selectOption('tcp');

    await form.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('test-result');
    await expect.poll(() => result.textContent(), WAIT).toMatch(/^Connected in \d+ ms · .*PostgreSQL/i);
    await screenshot(page, 'connection-form');

    await form.getByRole('button', { name: 'Save connection' }).click();
    await page.waitForURL(/\/connections$/);
    const card = page.getByTestId('connection-card').filter({ hasText: 'Pagila (local)' });
    await card.waitFor();
    await expect
      .poll(() => card.getByTestId('connection-status').getAttribute('data-state'), WAIT)
      .toBe('ok');
    expect(await card.textContent()).toContain('postgres@127.0.0.1:5432/pagila');
    expect(await card.getByTestId('connection-transport').textContent()).toBe('TCP');
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

  it('shows per-connection p50/p95 on the dashboard once queries ran', async () => {
    const { page } = browser;
    await page.goto('/connections');
    const id = await page
      .getByTestId('connection-card')
      .filter({ hasText: 'Pagila (local)' })
      .getByRole('link', { name: 'Query' })
      .getAttribute('href');
    const connectionId = decodeURIComponent(id?.split('/').pop() ?? '');
    for (let i = 0; i < 3; i++) {
      const res = await page.request.post(`/api/connections/${encodeURIComponent(connectionId)}/query`, {
        headers: { Origin: app.url },
        data: { sql: 'select count(*) from film' },
      });
      expect(res.status()).toBe(200);
    }
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Pagila (local)' });
    await row.waitFor();
    await expect.poll(() => row.textContent(), WAIT).toMatch(/PostgreSQL.*3\d+ ms\d+ ms$/);
    // "Last used" is the server's record of those queries, re-read when the dashboard opens.
    await expect.poll(() => row.getByRole('cell').nth(3).textContent(), WAIT).toBe('just now');
    await screenshot(page, 'dashboard-metrics');
  });

  it('shows a failing test in red with the reason, without saving anything', async () => {
    const { page } = browser;
    await page.goto('/connections/new');
    const form = page.getByRole('form', { name: 'Connection' });
    await form.getByLabel('Name').fill('Nowhere');
    await form.getByLabel('Host').fill('127.0.0.1');
    await form.getByLabel('Port').fill('1');
    await form.getByLabel('Database').fill('pagila');
    await form.getByLabel('User', { exact: true }).fill('postgres');
    await form.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('test-result');
    await expect.poll(() => result.getAttribute('class'), WAIT).toContain('error');
    expect(await result.textContent()).toMatch(/\(\w+\)$/);
    await page.goto('/connections');
    await page.getByTestId('connection-card').first().waitFor();
    expect(await page.getByTestId('connection-card').filter({ hasText: 'Nowhere' }).count()).toBe(0);
  });

  it('creates a D1-over-HTTP connection with its own fields and shows its transport', async () => {
    const { page } = browser;
    await page.goto('/connections/new');
    const form = page.getByRole('form', { name: 'Connection' });
    await form.getByLabel('Name').fill('Chinook over D1 API');
    await form.getByLabel('Engine').selectOption('sqlite');
    // The local D1 stand-in (dev/endpoints/d1-http.ts) serves the Chinook file as database `chinook`.
    await form.getByLabel('Connect via').selectOption('d1-http');
    await form.getByLabel('Account ID').fill('local');
    await form.getByLabel('Database ID').fill('chinook');
    await form.getByLabel('API token').fill('atrium-local-token');
    await form.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('test-result');
    await expect
      .poll(() => result.textContent(), WAIT)
      .toMatch(/^Connected in \d+ ms · SQLite \(Cloudflare D1/);
    await form.getByRole('button', { name: 'Save connection' }).click();
    await page.waitForURL(/\/connections$/);
    const card = page.getByTestId('connection-card').filter({ hasText: 'Chinook over D1 API' });
    await expect.poll(() => card.getByTestId('connection-transport').textContent(), WAIT).toBe('D1 HTTP API');
    expect(await page.content()).not.toContain('atrium-local-token');
  });

  it('toggles a connection inactive, and deletes it after confirmation', async () => {
    const { page } = browser;
    await page.goto('/connections');
    const card = page.getByTestId('connection-card').filter({ hasText: 'Pagila (local)' });
    await card.getByRole('checkbox', { name: 'Pagila (local) active' }).uncheck();
    await expect.poll(() => card.getAttribute('class'), WAIT).toContain('inactive');
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

describe('optimistic edits', () => {
  it('rolls the active toggle back and says why when the server refuses it', async () => {
    const { page } = browser;
    await page.goto('/connections');
    const created = await page.request.post('/api/connections', {
      headers: { Origin: app.url },
      data: {
        name: 'Short-lived',
        engine: 'postgres',
        host: '127.0.0.1',
        port: 5432,
        database: 'pagila',
        user: 'postgres',
      },
    });
    expect(created.status()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await page.reload();
    const card = page.getByTestId('connection-card').filter({ hasText: 'Short-lived' });
    const toggle = card.getByRole('checkbox', { name: 'Short-lived active' });
    await toggle.waitFor();

    // Another admin deletes it behind this page's back; the toggle's PATCH then gets a real 404.
    const deleted = await page.request.delete(`/api/connections/${encodeURIComponent(id)}`, {
      headers: { Origin: app.url },
    });
    expect(deleted.status()).toBe(204);
    // click(), not uncheck(): uncheck() re-reads the state afterwards and may already see the rollback.
    await toggle.click();
    await page
      .getByRole('status')
      .getByText(/Could not deactivate Short-lived/)
      .waitFor();
    await expect.poll(() => toggle.isChecked(), WAIT).toBe(true);
    expect(await card.getAttribute('class')).not.toContain('inactive');
  });
});

describe('first screen', () => {
  it('opens the dashboard with two API calls after the HTML: /api/me and /api/dashboard', async () => {
    const { page } = browser;
    const calls: string[] = [];
    const onRequest = (req: { url(): string }) => {
      const url = new URL(req.url());
      if (url.pathname.startsWith('/api/')) calls.push(url.pathname);
    };
    page.on('request', onRequest);
    try {
      await page.goto('/');
      // The "Recently used" table shows once the connections and their metrics arrived.
      await page.getByRole('region', { name: 'Recently used connections' }).getByRole('table').waitFor();
      await page.waitForLoadState('networkidle');
    } finally {
      page.off('request', onRequest);
    }
    expect(calls.sort()).toEqual(['/api/dashboard', '/api/me']);
  });
});
