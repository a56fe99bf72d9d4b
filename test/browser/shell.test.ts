import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, screenshot, type TestBrowser, WAIT } from '../support/browser.ts';

let app: AppServer;
let browser: TestBrowser;

beforeAll(async () => {
  app = await startAppServer({ localEndpoints: inject('localEndpoints') });
  browser = await launchBrowser(app.url);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('SPA shell', () => {
  it('loads, shows the health indicator as healthy, and sends anonymous visitors to sign-in', async () => {
    const { page } = browser;
    await page.goto('/');
    await page.waitForURL(/\/sign-in\?next=%2F$/);
    const status = page.getByTestId('health-status');
    await expect.poll(() => status.getAttribute('data-status'), WAIT).toBe('healthy');
    expect(await status.textContent()).toContain('Healthy');
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible(), WAIT).toBe(true);
    await screenshot(page, 'sign-in');
    expect(browser.errors.filter((e) => !e.includes('401'))).toEqual([]);
  });

  it('serves deep links from the SPA fallback and keeps /api 404s as JSON', async () => {
    const page = await browser.context.newPage();
    const res = await page.goto('/connections/new');
    expect(res?.status()).toBe(200);
    expect(await res?.headerValue('content-type')).toContain('text/html');
    const api = await page.request.get('/api/does-not-exist');
    expect(api.status()).toBe(404);
    expect((await api.json()).error.code).toBe('not_found');
    await page.close();
  });

  it('follows the OS theme, and toggles and remembers a chosen one', async () => {
    const { page } = browser;
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const html = page.locator('html');

    // With no stored choice the OS preference decides, and a change of it is followed live.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto('/sign-in');
    expect(await html.getAttribute('data-theme')).toBeNull();
    expect(await background()).toBe('rgb(20, 21, 24)');
    await page.getByRole('button', { name: 'Switch to light theme' }).waitFor();
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: 'Switch to dark theme' }).waitFor();
    expect(await background()).toBe('rgb(247, 247, 248)');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await html.getAttribute('data-theme')).toBe('dark');
    expect(await background()).toBe('rgb(20, 21, 24)');
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await html.getAttribute('data-theme')).toBe('dark');
    await screenshot(page, 'sign-in-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    expect(await html.getAttribute('data-theme')).toBe('light');
  });
});

describe('API reference', () => {
  it('renders /api/docs from our own assets under a CSP without unsafe-inline scripts', async () => {
    const page = await browser.context.newPage();
    const foreign: string[] = [];
    const cspErrors: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(app.url) && !req.url().startsWith('data:')) foreign.push(req.url());
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) cspErrors.push(msg.text());
    });
    const res = await page.goto('/api/docs');
    const csp = (await res?.headerValue('content-security-policy')) ?? '';
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    await page.getByText('Liveness and D1 readiness').first().waitFor({ timeout: 20_000 });
    await screenshot(page, 'api-docs');
    expect(foreign).toEqual([]);
    expect(cspErrors).toEqual([]);
    await page.close();
  });
});

describe('health indicator when the server goes away', () => {
  it('turns offline once /health stops answering', async () => {
    const { page } = browser;
    await page.goto('/sign-in');
    const status = page.getByTestId('health-status');
    await expect.poll(() => status.getAttribute('data-status'), WAIT).toBe('healthy');
    await app.stop();
    await status.click(); // checks now instead of at the next 15 s poll
    await expect.poll(() => status.getAttribute('data-status'), WAIT).toBe('offline');
    expect(await status.textContent()).toContain('Offline');
  });
});
