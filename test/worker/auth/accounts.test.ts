import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../worker/app.ts';
import {
  api,
  createUser,
  jsonInit,
  makeToken,
  signUp,
  TEST_ORIGIN,
  TEST_PASSWORD,
  uniqueEmail,
} from '../../support/auth.ts';

const count = async (table: string) =>
  (await env.DB.prepare(`select count(*) as n from ${table}`).first<{ n: number }>())?.n ?? 0;

async function expectEnvelope(res: Response, status: number | RegExp) {
  if (typeof status === 'number') expect(res.status).toBe(status);
  else expect(String(res.status)).toMatch(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = await res.json<{ error: { code: string; message: string; requestId: string } }>();
  expect(body.error.code).toBeTruthy();
  return body.error;
}

describe('sign-up, sign-in, sign-out', () => {
  it('sets an HttpOnly, Secure, SameSite=Lax session cookie and never returns the session token', async () => {
    const email = uniqueEmail('flow');
    const res = await api(
      '/api/auth/sign-up/email',
      jsonInit('POST', { email, password: TEST_PASSWORD, name: 'Ada' }),
    );
    expect(res.status).toBe(201);
    const [cookie] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^atrium\.session_token=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const body = await res.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual(['orgId', 'user']);
    const sessionToken = decodeURIComponent(cookie!.split(';')[0]!.split('=')[1]!).split('.')[0]!;
    expect(JSON.stringify(body)).not.toContain(sessionToken);
  });

  it('gives the first sign-up a personal org it owns, active in the session', async () => {
    const user = await signUp(uniqueEmail('personal'));
    const me = await (await api('/api/me', { headers: user.cookieHeaders })).json<{
      activeOrg: { id: string; role: string };
      orgs: { id: string; personal: boolean }[];
    }>();
    expect(me.activeOrg).toMatchObject({ id: user.personalOrgId, role: 'owner' });
    expect(me.orgs).toEqual([expect.objectContaining({ id: user.personalOrgId, personal: true })]);
  });

  it('signs in with the right password only, and signing out ends the session', async () => {
    const user = await createUser();
    const wrong = await api(
      '/api/auth/sign-in/email',
      jsonInit('POST', { email: user.email, password: 'nope nope nope' }),
    );
    expect((await expectEnvelope(wrong, 401)).code).toBe('invalid_credentials');
    const unknown = await api(
      '/api/auth/sign-in/email',
      jsonInit('POST', { email: uniqueEmail(), password: 'whatever1' }),
    );
    expect((await expectEnvelope(unknown, 401)).code).toBe('invalid_credentials');

    const ok = await api(
      '/api/auth/sign-in/email',
      jsonInit('POST', { email: user.email.toUpperCase(), password: user.password }),
    );
    expect(ok.status).toBe(200);
    const cookie = ok.headers.getSetCookie()[0]!.split(';')[0]!;
    const headers = { Cookie: cookie, Origin: TEST_ORIGIN };
    expect((await api('/api/me', { headers })).status).toBe(200);
    const out = await api('/api/auth/sign-out', { method: 'POST', headers });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().join()).toMatch(/atrium\.session_token=;|Max-Age=0/);
    expect((await api('/api/me', { headers })).status).toBe(401);
    // The helper's own session is untouched.
    expect((await api('/api/me', { headers: user.cookieHeaders })).status).toBe(200);
  });

  it('refuses a duplicate email with 409', async () => {
    const user = await createUser();
    const res = await api(
      '/api/auth/sign-up/email',
      jsonInit('POST', { email: user.email, password: TEST_PASSWORD, name: 'x' }),
    );
    expect((await expectEnvelope(res, 409)).code).toBe('user_exists');
  });
});

describe('bad input is a 4xx JSON error and writes nothing', () => {
  const cases: [string, RequestInit, number | RegExp][] = [
    ['malformed email', jsonInit('POST', { email: 'not-an-email', password: TEST_PASSWORD, name: 'x' }), 400],
    [
      'email with spaces',
      jsonInit('POST', { email: 'a b@example.com', password: TEST_PASSWORD, name: 'x' }),
      400,
    ],
    ['empty password', jsonInit('POST', { email: uniqueEmail(), password: '', name: 'x' }), 400],
    ['short password', jsonInit('POST', { email: uniqueEmail(), password: 'short', name: 'x' }), 400],
    [
      'huge password',
      jsonInit('POST', { email: uniqueEmail(), password: 'x'.repeat(10_000), name: 'x' }),
      400,
    ],
    ['missing name', jsonInit('POST', { email: uniqueEmail(), password: TEST_PASSWORD }), 400],
    [
      'unknown field',
      jsonInit('POST', { email: uniqueEmail(), password: TEST_PASSWORD, name: 'x', role: 'owner' }),
      400,
    ],
    [
      'wrong content type',
      {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ email: uniqueEmail(), password: TEST_PASSWORD, name: 'x' }),
      },
      /^4\d\d$/,
    ],
    ['no body', { method: 'POST' }, /^4\d\d$/],
    [
      'broken JSON',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' },
      400,
    ],
    [
      'oversized body',
      jsonInit('POST', { email: uniqueEmail(), password: TEST_PASSWORD, name: 'x'.repeat(2 * 1024 * 1024) }),
      413,
    ],
  ];
  for (const [name, init, status] of cases) {
    it(`sign-up: ${name}`, async () => {
      const before = await Promise.all(['user', 'account', 'session', 'organization'].map(count));
      await expectEnvelope(await api('/api/auth/sign-up/email', init), status);
      expect(await Promise.all(['user', 'account', 'session', 'organization'].map(count))).toEqual(before);
    });
  }

  it('sign-in: malformed email and unknown fields', async () => {
    await expectEnvelope(
      await api('/api/auth/sign-in/email', jsonInit('POST', { email: 'x', password: 'y' })),
      400,
    );
    await expectEnvelope(
      await api(
        '/api/auth/sign-in/email',
        jsonInit('POST', { email: uniqueEmail(), password: 'y', callbackURL: 'https://evil' }),
      ),
      400,
    );
  });

  it('orgs, invitations and tokens validate too', async () => {
    const owner = await createUser();
    const before = await Promise.all(['organization', 'invitation', 'api_token', 'member'].map(count));
    const bad: [string, RequestInit][] = [
      ['/api/orgs', jsonInit('POST', { name: '' }, owner.cookieHeaders)],
      ['/api/orgs', jsonInit('POST', { name: 'x', personal: true }, owner.cookieHeaders)],
      ['/api/orgs', jsonInit('POST', { name: 'x'.repeat(500) }, owner.cookieHeaders)],
      [
        `/api/orgs/${owner.orgId}/invitations`,
        jsonInit('POST', { email: 'nope', role: 'viewer' }, owner.cookieHeaders),
      ],
      [
        `/api/orgs/${owner.orgId}/invitations`,
        jsonInit('POST', { email: uniqueEmail(), role: 'god' }, owner.cookieHeaders),
      ],
      ['/api/tokens', jsonInit('POST', { name: 'x', ceiling: 'god' }, owner.cookieHeaders)],
      [
        '/api/tokens',
        jsonInit('POST', { name: 'x', ceiling: 'viewer', expiresAt: 'tomorrow' }, owner.cookieHeaders),
      ],
      [
        '/api/tokens',
        jsonInit(
          'POST',
          { name: 'x', ceiling: 'viewer', expiresAt: '2001-01-01T00:00:00Z' },
          owner.cookieHeaders,
        ),
      ],
      [
        '/api/tokens',
        jsonInit('POST', { name: 'x', ceiling: 'viewer', orgId: 'other' }, owner.cookieHeaders),
      ],
      [
        '/api/tokens',
        { method: 'POST', headers: { ...owner.cookieHeaders, 'content-type': 'text/plain' }, body: '{}' },
      ],
      ['/api/audit?limit=100000', { headers: owner.cookieHeaders }],
      ['/api/audit?cursor=abc', { headers: owner.cookieHeaders }],
      ['/api/audit?from=yesterday', { headers: owner.cookieHeaders }],
      ['/api/audit?password=x', { headers: owner.cookieHeaders }],
    ];
    for (const [path, init] of bad) {
      const res = await api(path, init);
      expect(String(res.status), `${init.method ?? 'GET'} ${path} ${String(init.body).slice(0, 60)}`).toMatch(
        /^4\d\d$/,
      );
      await expectEnvelope(res, /^4\d\d$/);
    }
    expect(await Promise.all(['organization', 'invitation', 'api_token', 'member'].map(count))).toEqual(
      before,
    );
  });

  it('a token cannot exceed its owner’s role', async () => {
    const viewer = await createUser({ role: 'viewer' });
    const res = await api(
      '/api/tokens',
      jsonInit('POST', { name: 'x', ceiling: 'admin' }, viewer.cookieHeaders),
    );
    await expectEnvelope(res, 403);
  });
});

describe('CSRF', () => {
  it('refuses cookie writes without a same-origin Origin, and writes nothing', async () => {
    const owner = await createUser();
    const before = await count('organization');
    const cookieOnly = { Cookie: owner.cookieHeaders.Cookie! };
    const noOrigin = await api('/api/orgs', jsonInit('POST', { name: 'csrf' }, cookieOnly));
    expect((await expectEnvelope(noOrigin, 403)).code).toBe('csrf_rejected');
    const evil = await api(
      '/api/orgs',
      jsonInit('POST', { name: 'csrf' }, { ...cookieOnly, Origin: 'https://evil.example' }),
    );
    expect((await expectEnvelope(evil, 403)).code).toBe('csrf_rejected');
    const crossSite = await api(
      '/api/orgs',
      jsonInit('POST', { name: 'csrf' }, { ...cookieOnly, 'Sec-Fetch-Site': 'cross-site' }),
    );
    expect((await expectEnvelope(crossSite, 403)).code).toBe('csrf_rejected');
    const signOut = await api('/api/auth/sign-out', {
      method: 'POST',
      headers: { ...cookieOnly, Origin: 'https://evil.example' },
    });
    await expectEnvelope(signOut, 403);
    expect(await count('organization')).toBe(before);
    // The session survived the forged sign-out.
    expect((await api('/api/me', { headers: owner.cookieHeaders })).status).toBe(200);
  });
});

describe('token secrecy', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a token appears only in its create response: not in logs, later responses, the audit log or D1', async () => {
    const lines: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '));
      });
    }
    const owner = await createUser();
    const { token, tokenId, headers } = await makeToken(owner, { ceiling: 'admin', name: 'secret-check' });
    expect(token).toMatch(/^atr_[A-Za-z0-9]{40}$/);
    const later: Response[] = [];
    for (const [path, init] of [
      ['/api/me', { headers }],
      ['/api/tokens', { headers: owner.cookieHeaders }],
      ['/api/tokens', { headers }],
      ['/api/audit?limit=200', { headers: owner.cookieHeaders }],
      [`/api/tokens/${tokenId}`, { method: 'DELETE', headers: owner.cookieHeaders }],
      ['/api/me', { headers }],
    ] as const) {
      later.push(await api(path, init));
    }
    for (const res of later) expect(await res.text()).not.toContain(token.slice(4));
    expect(later[5]!.status).toBe(401);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toContain(token.slice(4));
      expect(line).not.toContain(owner.password);
    }
    const rows = await env.DB.prepare('select * from api_token').all();
    const audit = await env.DB.prepare('select * from audit_log').all();
    expect(JSON.stringify(rows.results)).not.toContain(token.slice(4));
    expect(JSON.stringify(audit.results)).not.toContain(token.slice(4));
    expect(JSON.stringify(audit.results)).not.toContain(owner.password);
    const accounts = await env.DB.prepare('select password from account').all<{ password: string }>();
    for (const row of accounts.results) expect(row.password).toMatch(/^pbkdf2-sha256\$100000\$/);
  });

  it('records last use, throttled', async () => {
    const owner = await createUser();
    const t = await makeToken(owner, { ceiling: 'viewer' });
    const lastUsed = () =>
      env.DB.prepare('select last_used_at as t from api_token where id = ?')
        .bind(t.tokenId)
        .first<{ t: number | null }>();
    expect((await lastUsed())?.t).toBeNull();
    expect((await api('/api/me', { headers: t.headers })).status).toBe(200);
    await vi.waitFor(async () => expect((await lastUsed())?.t).toBeGreaterThan(0));
    const first = (await lastUsed())?.t;
    expect((await api('/api/me', { headers: t.headers })).status).toBe(200);
    expect((await lastUsed())?.t).toBe(first);
  });

  it('a malformed or unknown Bearer header is a 401, never anonymous', async () => {
    for (const value of ['Bearer', 'Bearer atr_nope', 'Basic abc', `Bearer ${'atr_'.padEnd(300, 'x')}`]) {
      const res = await api('/api/me', { headers: { Authorization: value } });
      await expectEnvelope(res, 401);
    }
  });
});

describe('rate limits', () => {
  const app = createApp();
  const call = (path: string, init: RequestInit, vars: Record<string, string>) =>
    app.request(path, init, { ...env, ...vars });

  it('sign-in per account: 429 with Retry-After', async () => {
    const user = await createUser();
    const vars = { RATE_LIMIT_SIGN_IN_ACCOUNT: '2/60' };
    const attempt = () =>
      call(
        '/api/auth/sign-in/email',
        jsonInit('POST', { email: user.email, password: 'wrong password' }),
        vars,
      );
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await expectEnvelope(limited, 429)).code).toBe('rate_limited');
    // Even the right password waits: the limit is per account, not per failure streak.
    const right = await call(
      '/api/auth/sign-in/email',
      jsonInit('POST', { email: user.email, password: user.password }),
      vars,
    );
    expect(right.status).toBe(429);
  });

  it('sign-in and sign-up per IP', async () => {
    const ip = { 'CF-Connecting-IP': '203.0.113.7', 'content-type': 'application/json' };
    const vars = { RATE_LIMIT_SIGN_IN_IP: '2/60', RATE_LIMIT_SIGN_UP_IP: '1/60' };
    const signIn = () =>
      call(
        '/api/auth/sign-in/email',
        { method: 'POST', headers: ip, body: JSON.stringify({ email: uniqueEmail(), password: 'x1234567' }) },
        vars,
      );
    expect((await signIn()).status).toBe(401);
    expect((await signIn()).status).toBe(401);
    const limited = await signIn();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    const signUpOnce = () =>
      call(
        '/api/auth/sign-up/email',
        {
          method: 'POST',
          headers: ip,
          body: JSON.stringify({ email: uniqueEmail(), password: TEST_PASSWORD, name: 'x' }),
        },
        vars,
      );
    expect((await signUpOnce()).status).toBe(201);
    const before = await count('user');
    expect((await signUpOnce()).status).toBe(429);
    expect(await count('user')).toBe(before);
  });

  it('token use', async () => {
    const owner = await createUser();
    const t = await makeToken(owner, { ceiling: 'viewer' });
    const vars = { RATE_LIMIT_TOKEN: '2/60' };
    expect((await call('/api/me', { headers: t.headers }, vars)).status).toBe(200);
    expect((await call('/api/me', { headers: t.headers }, vars)).status).toBe(200);
    const limited = await call('/api/me', { headers: t.headers }, vars);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another token of the same user has its own budget.
    const other = await makeToken(owner, { ceiling: 'viewer' });
    expect((await call('/api/me', { headers: other.headers }, vars)).status).toBe(200);
  });
});

describe('OpenAPI', () => {
  it('documents every accounts route', async () => {
    const doc = await (await api('/api/openapi.json')).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const expected = {
      '/api/auth/sign-up/email': ['post'],
      '/api/auth/sign-in/email': ['post'],
      '/api/auth/sign-out': ['post'],
      '/api/me': ['get'],
      '/api/orgs': ['get', 'post'],
      '/api/orgs/{orgId}': ['patch', 'delete'],
      '/api/orgs/{orgId}/activate': ['post'],
      '/api/orgs/{orgId}/members': ['get'],
      '/api/orgs/{orgId}/members/{userId}': ['patch', 'delete'],
      '/api/orgs/{orgId}/invitations': ['get', 'post'],
      '/api/orgs/{orgId}/invitations/{invitationId}': ['delete'],
      '/api/invitations/accept': ['post'],
      '/api/tokens': ['get', 'post'],
      '/api/tokens/{tokenId}': ['delete'],
      '/api/audit': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      expect(Object.keys(doc.paths[path] ?? {}).sort(), path).toEqual([...methods].sort());
    }
  });
});
