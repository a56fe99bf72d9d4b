/**
 * Shared steps of the data-page browser tests: every call goes through the real
 * API from inside the page, so the session cookie, the Origin header and the
 * CSRF guard are exactly what the app itself gets.
 */
import type { Page } from 'playwright-core';

export async function apiFromPage<T>(page: Page, path: string, method = 'GET', body?: unknown): Promise<T> {
  const answer = await page.evaluate(
    async ({ path, method, body }) => {
      const res = await fetch(path, {
        method,
        credentials: 'include',
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, text: await res.text() };
    },
    { path, method, body },
  );
  if (answer.status >= 400) throw new Error(`${method} ${path} → ${answer.status}: ${answer.text}`);
  return (answer.text ? JSON.parse(answer.text) : undefined) as T;
}

/** Signs a fresh user up (owner of a fresh personal organization) in this page's context. */
export async function signUp(page: Page, name = 'Ada Lovelace'): Promise<{ email: string }> {
  await page.goto('/sign-in');
  const email = `${name.split(' ')[0]!.toLowerCase()}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@atrium.test`;
  await apiFromPage(page, '/api/auth/sign-up/email', 'POST', {
    name,
    email,
    password: 'correct horse battery staple',
  });
  return { email };
}

export async function createPagilaConnection(page: Page): Promise<string> {
  const created = await apiFromPage<{ id: string }>(page, '/api/connections', 'POST', {
    name: 'Pagila',
    engine: 'postgres',
    host: '127.0.0.1',
    port: 5432,
    database: 'pagila',
    user: 'postgres',
    sslMode: 'disable',
  });
  return created.id;
}
