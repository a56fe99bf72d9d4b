/**
 * axe-core on every page, in the light and the dark theme, with the built-in demo selected (no
 * PostgreSQL or MariaDB connection is made): no serious or critical violation may remain. Each
 * visit waits for the page's own content, so axe sees the page a person would, not a spinner.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, screenshot, type TestBrowser, WAIT } from '../support/browser.ts';
import { apiFromPage } from './helpers.ts';

const THEMES = ['light', 'dark'] as const;
const DEMO = '/browser/builtin%3Ademo';

let app: AppServer;
let browser: TestBrowser;
let documentPath = '';

beforeAll(async () => {
  app = await startAppServer({ localEndpoints: inject('localEndpoints') });
  browser = await launchBrowser(app.url);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

interface Visit {
  name: string;
  url: string;
  /** Resolves once the page shows its real content (and, for the query page, a result). */
  ready(page: Page): Promise<unknown>;
}

const heading = (name: string) => (page: Page) => page.getByRole('heading', { name, level: 1 }).waitFor(WAIT);

const APP_PAGES: Visit[] = [
  { name: 'dashboard', url: '/', ready: heading('Dashboard') },
  {
    name: 'connections',
    url: '/connections',
    ready: (p) => p.getByTestId('connection-card').first().waitFor(WAIT),
  },
  { name: 'connection form', url: '/connections/new', ready: heading('New connection') },
  {
    name: 'browser ER',
    url: `${DEMO}?tab=erd`,
    ready: (p) => p.locator('[data-table="main.Artist"]').first().waitFor(WAIT),
  },
  {
    name: 'browser details',
    url: `${DEMO}?schema=main&table=Artist&tab=details`,
    ready: (p) => p.getByText('ArtistId').first().waitFor(WAIT),
  },
  {
    name: 'browser data',
    url: `${DEMO}?schema=main&table=Artist&tab=data`,
    ready: (p) => p.getByTestId('data-grid').getByText('AC/DC').first().waitFor(WAIT),
  },
  {
    name: 'query with results',
    url: '/query/builtin%3Ademo',
    async ready(page) {
      await page.locator('.cm-content').waitFor(WAIT);
      await expect.poll(() => page.locator('.cm-content').textContent(), WAIT).not.toBe('');
      await page.getByTestId('run').click();
      await page.getByTestId('results-grid').getByText('Iron Maiden').first().waitFor(WAIT);
    },
  },
  { name: 'documents', url: '/documents', ready: heading('Documents') },
  {
    name: 'document',
    get url() {
      return documentPath;
    },
    ready: (p) => expect.poll(() => p.getByTestId('room-status').textContent(), WAIT).toContain('Live'),
  },
  {
    name: 'settings members',
    url: '/settings/members',
    ready: (p) => p.getByTestId('member-row').first().waitFor(WAIT),
  },
  { name: 'settings invitations', url: '/settings/invitations', ready: heading('Settings') },
  { name: 'settings tokens', url: '/settings/tokens', ready: heading('Settings') },
  { name: 'settings organization', url: '/settings/organization', ready: heading('Settings') },
  { name: 'audit', url: '/audit', ready: (p) => p.getByTestId('audit-row').first().waitFor(WAIT) },
  {
    name: 'command palette',
    url: '/documents',
    async ready(page) {
      await heading('Documents')(page);
      await page.keyboard.press('Control+K');
      await page.getByRole('dialog', { name: 'Command palette' }).getByRole('option').first().waitFor(WAIT);
    },
  },
  {
    name: 'shortcuts sheet',
    url: '/documents',
    async ready(page) {
      await heading('Documents')(page);
      await page.locator('body').press('?');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor(WAIT);
    },
  },
];

const AUTH_PAGES: Visit[] = [
  { name: 'sign-in', url: '/sign-in', ready: heading('Sign in') },
  { name: 'sign-up', url: '/sign-up', ready: heading('Create your account') },
];

/** Serious and critical violations on the page as it stands, one readable line per element. */
async function audit(page: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map(
        (n) => `${where}: ${v.id} (${v.impact}) at ${n.target.join(' ')} — ${n.failureSummary ?? v.help}`,
      ),
    );
}

async function visitAll(visits: Visit[], theme: (typeof THEMES)[number]): Promise<string[]> {
  const { page } = browser;
  await page.emulateMedia({ colorScheme: theme });
  const found: string[] = [];
  for (const visit of visits) {
    await page.goto(visit.url);
    try {
      await visit.ready(page);
    } catch (err) {
      console.log(
        'not ready:',
        visit.name,
        await screenshot(page, `a11y-${theme}-not-ready`),
        browser.errors,
      );
      throw err;
    }
    found.push(...(await audit(page, `${visit.name} (${theme})`)));
  }
  return found;
}

describe('accessibility (axe-core: no serious or critical violation)', () => {
  test('sign-in and sign-up, light and dark', async () => {
    const found: string[] = [];
    for (const theme of THEMES) found.push(...(await visitAll(AUTH_PAGES, theme)));
    expect(found).toEqual([]);
  });

  test.each(THEMES)(
    'every signed-in page with the demo selected, %s theme',
    async (theme) => {
      const { page } = browser;
      if (!documentPath) {
        await page.goto('/sign-in');
        await apiFromPage(page, '/api/auth/sign-up/email', 'POST', {
          name: 'Axe Reader',
          email: `axe-${Date.now()}@atrium.test`,
          password: 'correct horse battery staple',
        });
        await page.goto('/documents');
        await page.getByTestId('new-document').click();
        await page.waitForURL(/\/documents\/[^/]+$/, WAIT);
        documentPath = new URL(page.url()).pathname;
      }
      const found = await visitAll(APP_PAGES, theme);
      expect(found).toEqual([]);
    },
    180_000,
  );
});
