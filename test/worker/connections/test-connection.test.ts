import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionView } from '../../../worker/connections/types.ts';
import { addMember, api, createOrg, jsonInit, type TestUser } from '../../support/auth.ts';

const PG = {
  engine: 'postgres',
  host: '127.0.0.1',
  port: 5432,
  user: 'postgres',
  database: 'pagila',
  sslMode: 'disable',
};
const MY = { engine: 'mysql', host: '127.0.0.1', port: 3306, user: 'root', database: 'sakila' };

interface TestBody {
  ok: boolean;
  latencyMs: number | null;
  serverVersion: string | null;
  error?: { code: string; message: string; requestId: string };
}

let owner: TestUser;
let viewer: TestUser;
beforeAll(async () => {
  const org = await createOrg();
  owner = org.owner;
  viewer = await addMember(org, 'viewer');
});

async function testUnsaved(body: Record<string, unknown>) {
  const res = await api('/api/connections/test', jsonInit('POST', body, owner.cookieHeaders));
  return { status: res.status, body: await res.json<TestBody>() };
}

async function save(body: Record<string, unknown>) {
  const res = await api('/api/connections', jsonInit('POST', body, owner.cookieHeaders));
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<ConnectionView>();
}

describe('testing connections that work', () => {
  const good: [string, Record<string, unknown>, RegExp][] = [
    ['Postgres fields (Pagila)', PG, /^PostgreSQL 1\d/],
    [
      'Postgres connection string',
      { engine: 'postgres', connectionString: 'postgresql://postgres@127.0.0.1:5432/pagila?sslmode=disable' },
      /^PostgreSQL/,
    ],
    ['MySQL fields (Sakila)', MY, /^(MariaDB|MySQL) \d/],
    [
      'MySQL connection string',
      { engine: 'mysql', connectionString: 'mysql://root@127.0.0.1:3306/sakila' },
      /^(MariaDB|MySQL)/,
    ],
  ];
  for (const [label, settings, version] of good) {
    it(`answers ok for unsaved ${label}`, async () => {
      const { status, body } = await testUnsaved(settings);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.ok).toBe(true);
      expect(body.serverVersion).toMatch(version);
      expect(body.latencyMs).toBeGreaterThanOrEqual(0);
      expect(body.error).toBeUndefined();
    });

    it(`answers ok for saved ${label} and stores the status`, async () => {
      const conn = await save({ name: `good ${label}`, ...settings });
      // Any member may test a saved connection.
      const res = await api(`/api/connections/${conn.id}/test`, {
        method: 'POST',
        headers: viewer.cookieHeaders,
      });
      const body = await res.json<TestBody>();
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body).toMatchObject({ ok: true });
      expect(body.serverVersion).toMatch(version);
      const after = await (
        await api(`/api/connections/${conn.id}`, { headers: viewer.cookieHeaders })
      ).json<ConnectionView>();
      expect(after.status).toMatchObject({
        state: 'ok',
        serverVersion: body.serverVersion,
        latencyMs: body.latencyMs,
        error: null,
      });
      expect(Date.parse(after.status.testedAt ?? '')).not.toBeNaN();
    });
  }

  it('tests the built-in demo for any member', async () => {
    const res = await api('/api/connections/builtin:demo/test', {
      method: 'POST',
      headers: viewer.cookieHeaders,
    });
    expect(res.status).toBe(200);
    expect((await res.json<TestBody>()).serverVersion).toMatch(/^SQLite/);
    // Its status is kept per organization, like a saved connection's.
    const list = await (await api('/api/connections', { headers: owner.cookieHeaders })).json<{
      connections: ConnectionView[];
    }>();
    expect(list.connections.find((c) => c.id === 'builtin:demo')?.status.state).toBe('ok');
    const outsider = await createOrg();
    const theirs = await (
      await api('/api/connections/builtin:demo', { headers: outsider.owner.cookieHeaders })
    ).json<ConnectionView>();
    expect(theirs.status.state).toBe('untested');
  });

  it('audits tests and keeps unsaved tests for admins', async () => {
    const res = await api('/api/connections/test', jsonInit('POST', PG, viewer.cookieHeaders));
    expect(res.status).toBe(403);
    const { results } = await env.DB.prepare(
      "select outcome, detail from audit_log where organization_id = ? and action = 'connection.test'",
    )
      .bind(owner.orgId)
      .all<{ outcome: string; detail: string }>();
    expect(results.length).toBeGreaterThan(0);
    expect(results.some((r) => r.outcome === 'success')).toBe(true);
  });
});

describe('testing connections that fail', () => {
  const bad: [string, Record<string, unknown>, number, string][] = [
    ['a wrong MySQL password', { ...MY, password: 'definitely-wrong' }, 502, 'auth_failed'],
    ['an unknown Postgres role', { ...PG, user: 'no_such_role_atrium' }, 502, 'auth_failed'],
    ['an unknown host', { ...PG, host: 'no-such-host.invalid' }, 502, 'host_not_found'],
    ['a closed Postgres port', { ...PG, port: 1 }, 502, 'connection_refused'],
    ['a closed MySQL port', { ...MY, port: 1 }, 502, 'connection_refused'],
    [
      'a malformed connection string',
      { engine: 'postgres', connectionString: 'postgres://postgres:pw@' },
      400,
      'invalid_config',
    ],
    ['TLS required by a server without TLS', { ...PG, sslMode: 'require' }, 502, 'tls_error'],
    ['an unsupported engine', { ...PG, engine: 'oracle' }, 400, 'unsupported_engine'],
    ['a server that never answers', { ...MY, port: 5432, timeoutMs: 1500 }, 504, 'timeout'],
  ];
  for (const [label, settings, status, code] of bad) {
    it(`reports ${label} as ${status} ${code}`, async () => {
      const res = await testUnsaved(settings);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error?.code).toBe(code);
      expect(res.body.error?.message.length).toBeGreaterThan(5);
      if (status >= 500) {
        expect(res.body.ok).toBe(false);
        // The message names the upstream it failed to reach.
        expect(res.body.error?.message).toMatch(/PostgreSQL|MySQL/);
      }
    });
  }

  it('stores a failed test as the saved connection status', async () => {
    const conn = await save({ name: 'refused', ...PG, port: 1 });
    const res = await api(
      `/api/connections/${conn.id}/test`,
      jsonInit('POST', { timeoutMs: 5000 }, owner.cookieHeaders),
    );
    expect(res.status).toBe(502);
    const view = await (
      await api(`/api/connections/${conn.id}`, { headers: owner.cookieHeaders })
    ).json<ConnectionView>();
    expect(view.status).toMatchObject({
      state: 'error',
      error: { code: 'connection_refused' },
      serverVersion: null,
    });
    expect(view.status.error?.message).toContain('127.0.0.1:1');
  });
});
