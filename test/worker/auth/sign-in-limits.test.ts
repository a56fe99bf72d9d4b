/**
 * Sign-in limits that stop guessing without handing strangers a lock-out: failures count per
 * account and client, and only a larger, slower per-account limit stops every client.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../worker/app.ts';
import { clientKey } from '../../../worker/auth/sign-in-limits.ts';
import { createUser } from '../../support/auth.ts';

const app = createApp();

/** One sign-in from `ip` (CF-Connecting-IP, as Cloudflare sets it) with lowered limits. */
const signIn = (ip: string, email: string, password: string, vars: Record<string, string>) =>
  app.request(
    '/api/auth/sign-in/email',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'CF-Connecting-IP': ip },
      body: JSON.stringify({ email, password }),
    },
    { ...env, ...vars },
  );

const WRONG = 'not the password';

describe('sign-in limits', () => {
  it('a stranger hammering an account from one IP is stopped there; the owner from another IP gets in', async () => {
    const user = await createUser();
    const vars = { RATE_LIMIT_SIGN_IN_ACCOUNT_IP: '3/60' };
    const stranger = '198.51.100.10';
    for (let i = 0; i < 3; i++) expect((await signIn(stranger, user.email, WRONG, vars)).status).toBe(401);
    const limited = await signIn(stranger, user.email, WRONG, vars);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Stopped before the password is checked, so even a right guess from there waits.
    expect((await signIn(stranger, user.email, user.password, vars)).status).toBe(429);

    const owner = await signIn('198.51.100.11', user.email, user.password, vars);
    expect(owner.status).toBe(200);
    expect(owner.headers.getSetCookie().join()).toMatch(/atrium\.session_token=/);
  });

  it('counts failures only: signing in again and again never locks the owner out', async () => {
    const user = await createUser();
    const vars = { RATE_LIMIT_SIGN_IN_ACCOUNT_IP: '2/60', RATE_LIMIT_SIGN_IN_ACCOUNT: '2/60' };
    const ip = '198.51.100.20';
    for (let i = 0; i < 4; i++) expect((await signIn(ip, user.email, user.password, vars)).status).toBe(200);
    expect((await signIn(ip, user.email, WRONG, vars)).status).toBe(401);
    expect((await signIn(ip, user.email, WRONG, vars)).status).toBe(401);
    expect((await signIn(ip, user.email, WRONG, vars)).status).toBe(429);
  });

  it('failures from many IPs reach the per-account limit, which then stops every client', async () => {
    const user = await createUser();
    const vars = { RATE_LIMIT_SIGN_IN_ACCOUNT_IP: '2/60', RATE_LIMIT_SIGN_IN_ACCOUNT: '3/60' };
    const [a, b] = ['198.51.100.30', '198.51.100.31'];
    expect((await signIn(a, user.email, WRONG, vars)).status).toBe(401);
    expect((await signIn(a, user.email, WRONG, vars)).status).toBe(401);
    expect((await signIn(a, user.email, WRONG, vars)).status).toBe(429);
    expect((await signIn(b, user.email, WRONG, vars)).status).toBe(401);
    const backoff = await signIn(b, user.email, WRONG, vars);
    expect(backoff.status).toBe(429);
    expect(Number(backoff.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await signIn('198.51.100.32', user.email, user.password, vars)).status).toBe(429);
    // Another account is untouched.
    const other = await createUser();
    expect((await signIn(a, other.email, other.password, vars)).status).toBe(200);
  });

  it('an IPv6 client is its /64: rotating addresses inside it gains no guesses', async () => {
    const user = await createUser();
    const vars = { RATE_LIMIT_SIGN_IN_ACCOUNT_IP: '2/60' };
    const ips = ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff::3'];
    expect((await signIn(ips[0]!, user.email, WRONG, vars)).status).toBe(401);
    expect((await signIn(ips[1]!, user.email, WRONG, vars)).status).toBe(401);
    expect((await signIn(ips[2]!, user.email, WRONG, vars)).status).toBe(429);
    expect((await signIn('2001:db8:1:3::1', user.email, user.password, vars)).status).toBe(200);
  });

  it('keys clients by IPv4 address or IPv6 /64', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('2001:DB8:0001:0002:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'));
  });
});
