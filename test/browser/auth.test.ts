import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { launchBrowser, screenshot, type TestBrowser, WAIT } from '../support/browser.ts';

let app: AppServer;
const browsers: TestBrowser[] = [];

beforeAll(async () => {
  app = await startAppServer({ localEndpoints: inject('localEndpoints') });
});

afterAll(async () => {
  for (const b of browsers) await b.close();
  await app?.stop();
});

async function open(): Promise<TestBrowser> {
  const b = await launchBrowser(app.url);
  browsers.push(b);
  return b;
}

const PASSWORD = 'correct horse battery staple';

async function fillSignUp(page: Page, name: string, email: string) {
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
}

async function selectedOrg(page: Page): Promise<string> {
  return page
    .getByTestId('org-switcher')
    .evaluate((el) => (el instanceof HTMLSelectElement ? (el.selectedOptions[0]?.textContent ?? '') : ''));
}

describe('accounts in the browser', () => {
  it('signs up, creates an organization, invites a second user who joins with the link', async () => {
    const owner = await open();
    const a = owner.page;
    const ownerEmail = `owner-${Date.now()}@example.com`;
    const guestEmail = `guest-${Date.now()}@example.com`;

    // Sign up: lands on the dashboard in a personal organization.
    await a.goto('/sign-up');
    await fillSignUp(a, 'Olive Owner', ownerEmail);
    await a.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await a.getByTestId('current-user').textContent()).toBe(ownerEmail);
    expect(await selectedOrg(a)).toMatch(/· owner$/);

    // Create an organization; it becomes the active one.
    await a.getByTestId('org-switcher').selectOption({ label: 'New organization…' });
    await a.waitForURL('**/settings/organization');
    await a.getByRole('form', { name: 'New organization' }).getByLabel('Name').fill('Acme Data');
    await a.getByRole('button', { name: 'Create organization' }).click();
    await expect.poll(() => selectedOrg(a), WAIT).toBe('Acme Data · owner');

    // Invite: the one-time link is shown to the inviter.
    await a.getByRole('link', { name: 'Invitations' }).click();
    await a.getByRole('form', { name: 'Invite someone' }).getByLabel('Email').fill(guestEmail);
    await a.getByRole('form', { name: 'Invite someone' }).getByLabel('Role').selectOption('editor');
    await a.getByRole('button', { name: 'Create invitation link' }).click();
    const link = (await a.getByTestId('invite-link').textContent()) ?? '';
    expect(link).toMatch(new RegExp(`^${app.url}/invite/[^/]+$`));
    await expect
      .poll(() => a.getByRole('table', { name: 'Invitations' }).textContent())
      .toContain(guestEmail);
    await screenshot(a, 'invitations');

    // The guest opens the link in another browser, signs up, comes back and accepts.
    const guest = await open();
    const b = guest.page;
    await b.goto(link);
    await b.getByRole('link', { name: 'Create account' }).click();
    await fillSignUp(b, 'Gus Guest', guestEmail);
    await b.waitForURL(/\/invite\//);
    await b.getByRole('button', { name: 'Accept invitation' }).click();
    await b.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await expect.poll(() => selectedOrg(b), WAIT).toBe('Acme Data · editor');

    // The owner sees the new member with the invited role.
    await a.getByRole('link', { name: 'Members' }).click();
    const row = a.getByTestId('member-row').filter({ hasText: guestEmail });
    await row.waitFor();
    expect(await row.getByRole('combobox').inputValue()).toBe('editor');
    await screenshot(a, 'members');

    // The link was one-time: using it again is refused with the server's message.
    await b.goto(link);
    await b.getByRole('button', { name: 'Accept invitation' }).click();
    await expect.poll(() => b.getByRole('alert').isVisible(), WAIT).toBe(true);
    expect(owner.errors.filter((e) => !e.includes('401'))).toEqual([]);
  });

  it('refuses a wrong password with the server message and signs in with the right one', async () => {
    const { page } = await open();
    const email = `solo-${Date.now()}@example.com`;
    await page.goto('/sign-up');
    await fillSignUp(page, 'Solo', email);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), WAIT).toMatch(/request /);

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });
});

describe('API tokens and the audit log in the browser', () => {
  it('shows a new token once, lists it, revokes it, and the audit log records both', async () => {
    const { page } = await open();
    await page.goto('/sign-up');
    await fillSignUp(page, 'Tina Tokens', `tina-${Date.now()}@example.com`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await screenshot(page, 'dashboard');

    await page.goto('/settings/tokens');
    const form = page.getByRole('form', { name: 'Create an API token' });
    await form.getByLabel('Name').fill('nightly export');
    await form.getByLabel('Role ceiling').selectOption('viewer');
    await form.getByLabel('Expires').selectOption('30');
    await form.getByRole('button', { name: 'Create token' }).click();
    const secret = (await page.getByTestId('new-token').textContent()) ?? '';
    expect(secret).toMatch(/^atr_/);

    // The secret works as a Bearer token, within its viewer ceiling.
    const me = await page.request.get('/api/me', { headers: { Authorization: `Bearer ${secret}` } });
    expect(me.status()).toBe(200);
    expect((await me.json()).activeOrg.role).toBe('viewer');

    const table = page.getByRole('table', { name: 'API tokens' });
    await expect.poll(() => table.textContent(), WAIT).toContain('nightly export');
    expect(await table.textContent()).not.toContain(secret);
    await screenshot(page, 'tokens');

    // Leaving the page drops the secret: it is never shown again.
    await page.goto('/settings/members');
    await page.goto('/settings/tokens');
    await expect.poll(() => table.textContent(), WAIT).toContain('nightly export');
    expect(await page.getByTestId('new-token').count()).toBe(0);

    await table.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => table.textContent(), WAIT).not.toContain('nightly export');
    const refused = await page.request.get('/api/me', { headers: { Authorization: `Bearer ${secret}` } });
    expect(refused.status()).toBe(401);

    await page.getByRole('link', { name: 'Audit' }).click();
    const log = page.getByRole('table', { name: 'Audit entries' });
    await expect.poll(() => log.textContent(), WAIT).toContain('token.revoke');
    expect(await log.textContent()).toContain('token.create');

    const filter = page.getByRole('form', { name: 'Filter the audit log' });
    await filter.getByLabel('Action').fill('token.create');
    await filter.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => log.textContent(), WAIT).not.toContain('token.revoke');
    expect(await page.getByTestId('audit-row').count()).toBe(1);
    await screenshot(page, 'audit');

    // Cursor pagination: 55 more entries than one page of 50 shows, then "Load more".
    for (let i = 0; i < 55; i++) {
      const res = await page.request.post('/api/tokens', {
        headers: { Origin: app.url },
        data: { name: `bulk ${i}`, ceiling: 'viewer' },
      });
      expect(res.status()).toBe(201);
    }
    await filter.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByTestId('audit-row').count(), WAIT).toBe(50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => page.getByTestId('audit-row').count(), WAIT).toBe(56);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
  });
});
