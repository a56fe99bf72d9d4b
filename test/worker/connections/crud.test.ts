import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../../../worker/auth/policy.ts';
import { forgetConnection } from '../../../worker/connections/connection-cache.ts';
import { openEngine } from '../../../worker/connections/open-engine.ts';
import type { ConnectionView } from '../../../worker/connections/types.ts';
import { createVault } from '../../../worker/vault/vault.ts';
import {
  api,
  createPrincipals,
  expectStatus,
  jsonInit,
  PRINCIPALS,
  type PrincipalSet,
  type TestUser,
} from '../../support/auth.ts';

const pgFields = (name: string) => ({
  name,
  engine: 'postgres',
  host: 'db.internal',
  port: 5433,
  database: 'app',
  user: 'app_user',
  password: 'fields-secret-123',
  sslMode: 'require',
  tags: ['prod', 'billing', 'prod'],
});

async function createAs(user: TestUser, body: Record<string, unknown>) {
  const res = await api('/api/connections', jsonInit('POST', body, user.cookieHeaders));
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<ConnectionView>();
}

async function errorOf(res: Response) {
  return (await res.json<{ error: { code: string; message: string } }>()).error;
}

let p: PrincipalSet;
let owner: TestUser;
beforeAll(async () => {
  p = await createPrincipals();
  owner = p.org.owner;
});

describe('connections policy', () => {
  it('lets every member list, only admins and owners create; outsiders see their own org', async () => {
    const mine = await createAs(owner, pgFields('listed'));
    for (const name of PRINCIPALS) {
      const res = await api('/api/connections', { headers: p[name].headers });
      expect(res.status, name).toBe(expectStatus({ minRole: 'viewer', ok: 200, otherOrg: 200 })[name]);
      if (res.status !== 200) continue;
      const ids = (await res.json<{ connections: ConnectionView[] }>()).connections.map((c) => c.id);
      expect(ids[0], name).toBe('builtin:demo');
      expect(ids.includes(mine.id), name).toBe(name !== 'other-org');
    }
    for (const name of PRINCIPALS) {
      const res = await api('/api/connections', jsonInit('POST', pgFields(`by-${name}`), p[name].headers));
      expect(res.status, name).toBe(expectStatus({ minRole: 'admin', ok: 201, otherOrg: 201 })[name]);
    }
  });

  it('reads, updates and deletes by role, and hides other orgs behind 404', async () => {
    for (const name of PRINCIPALS) {
      const conn = await createAs(owner, pgFields(`rud-${name}`));
      const path = `/api/connections/${conn.id}`;
      const read = await api(path, { headers: p[name].headers });
      expect(read.status, `GET ${name}`).toBe(
        expectStatus({ minRole: 'viewer', ok: 200, otherOrg: 404 })[name],
      );
      const patch = await api(path, jsonInit('PATCH', { description: `by ${name}` }, p[name].headers));
      expect(patch.status, `PATCH ${name}`).toBe(
        expectStatus({ minRole: 'admin', ok: 200, otherOrg: 404 })[name],
      );
      const del = await api(path, { method: 'DELETE', headers: p[name].headers });
      expect(del.status, `DELETE ${name}`).toBe(
        expectStatus({ minRole: 'admin', ok: 204, otherOrg: 404 })[name],
      );
      const after = await api(path, { headers: owner.cookieHeaders });
      expect(after.status, `after ${name}`).toBe(del.status === 204 ? 404 : 200);
    }
  });

  it('works with API tokens too', async () => {
    const res = await api('/api/connections', jsonInit('POST', pgFields('via-token'), owner.bearerHeaders));
    expect(res.status).toBe(201);
    const viewerToken = p.viewer.user!.bearerHeaders;
    expect((await api('/api/connections', { headers: viewerToken })).status).toBe(200);
    expect((await api('/api/connections', jsonInit('POST', pgFields('x'), viewerToken))).status).toBe(403);
  });
});

describe('connection records', () => {
  it('stores fields, returns no secret and a redacted preview', async () => {
    const conn = await createAs(owner, pgFields('fields-mode'));
    expect(conn).toMatchObject({
      name: 'fields-mode',
      engine: 'postgres',
      builtin: false,
      active: true,
      host: 'db.internal',
      port: 5433,
      database: 'app',
      user: 'app_user',
      sslMode: 'require',
      hasPassword: true,
      usesConnectionString: false,
      tags: ['prod', 'billing'],
      connectionStringRedacted: 'postgres://app_user:****@db.internal:5433/app?sslmode=require',
      status: { state: 'untested', latencyMs: null, serverVersion: null, error: null, testedAt: null },
    });
    expect(conn.color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(JSON.stringify(conn)).not.toContain('fields-secret-123');
    expect(conn).not.toHaveProperty('password');
    expect(conn).not.toHaveProperty('connectionString');
  });

  it('parses a connection string into its visible parts and encrypts the whole string', async () => {
    const conn = await createAs(owner, {
      name: 'url-mode',
      engine: 'mysql',
      connectionString: 'mysql://reporter:url%2Fsecret%40x@mysql.internal/shop?ssl-mode=VERIFY_IDENTITY',
    });
    expect(conn).toMatchObject({
      usesConnectionString: true,
      host: 'mysql.internal',
      port: 3306,
      database: 'shop',
      user: 'reporter',
      hasPassword: true,
      sslMode: 'verify-full',
      connectionStringRedacted: 'mysql://reporter:****@mysql.internal:3306/shop?sslmode=verify-full',
    });
    const row = await env.DB.prepare('select * from connection where id = ?')
      .bind(conn.id)
      .first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain('url%2Fsecret');
    expect(JSON.stringify(row)).not.toContain('url/secret@x');
    expect(String(row?.secret)).toMatch(/^v1\.k1\./);
    const vault = await createVault(env.VAULT_KEYS);
    const opened = JSON.parse(await vault.open(String(row?.secret), `connection:${conn.id}`));
    expect(opened.connectionString).toContain('url%2Fsecret%40x');
  });

  it('updates plain fields, keeps the password when switching from a string to fields, resets status', async () => {
    const conn = await createAs(owner, {
      name: 'switcher',
      engine: 'postgres',
      connectionString: 'postgresql://alice:keep-me-please@pg.internal:6543/first',
    });
    await env.DB.prepare('update connection set last_test_ok = 1, last_tested_at = 1 where id = ?')
      .bind(conn.id)
      .run();
    const renamed = await api(
      `/api/connections/${conn.id}`,
      jsonInit('PATCH', { name: 'renamed', active: false, tags: ['a'] }, owner.cookieHeaders),
    );
    const r = await renamed.json<ConnectionView>();
    expect(r).toMatchObject({ name: 'renamed', active: false, tags: ['a'], usesConnectionString: true });
    expect(r.status.state).toBe('ok');

    const res = await api(
      `/api/connections/${conn.id}`,
      jsonInit('PATCH', { database: 'second' }, owner.cookieHeaders),
    );
    expect(res.status).toBe(200);
    const updated = await res.json<ConnectionView>();
    expect(updated).toMatchObject({
      usesConnectionString: false,
      host: 'pg.internal',
      port: 6543,
      database: 'second',
      user: 'alice',
      hasPassword: true,
      status: { state: 'untested' },
    });
    const row = await env.DB.prepare('select secret from connection where id = ?')
      .bind(conn.id)
      .first<{ secret: string }>();
    const vault = await createVault(env.VAULT_KEYS);
    expect(JSON.parse(await vault.open(row!.secret, `connection:${conn.id}`))).toEqual({
      password: 'keep-me-please',
    });

    const cleared = await api(
      `/api/connections/${conn.id}`,
      jsonInit('PATCH', { password: null }, owner.cookieHeaders),
    );
    expect((await cleared.json<ConnectionView>()).hasPassword).toBe(false);
    const secretRow = await env.DB.prepare('select secret from connection where id = ?')
      .bind(conn.id)
      .first<{ secret: string | null }>();
    expect(secretRow?.secret).toBeNull();
  });

  it('lists the built-in demo as a read-only SQLite connection that cannot be edited or deleted', async () => {
    const res = await api('/api/connections/builtin:demo', { headers: p.viewer.headers });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: 'builtin:demo',
      engine: 'sqlite',
      builtin: true,
      d1Binding: 'DEMO_DB',
    });
    const patch = await api(
      '/api/connections/builtin:demo',
      jsonInit('PATCH', { name: 'mine' }, owner.cookieHeaders),
    );
    expect(patch.status).toBe(403);
    expect((await errorOf(patch)).code).toBe('builtin_read_only');
    const del = await api('/api/connections/builtin:demo', {
      method: 'DELETE',
      headers: owner.cookieHeaders,
    });
    expect(del.status).toBe(403);
    expect((await api('/api/connections/builtin:nope', { headers: owner.cookieHeaders })).status).toBe(404);
  });

  it('never saves a SQLite connection to a built-in or the metadata database', async () => {
    for (const d1Binding of ['DEMO_DB', 'DB']) {
      const res = await api(
        '/api/connections',
        jsonInit('POST', { name: `copy of ${d1Binding}`, engine: 'sqlite', d1Binding }, owner.cookieHeaders),
      );
      expect(res.status, d1Binding).toBe(400);
      expect((await errorOf(res)).code, d1Binding).toBe('binding_not_allowed');
    }
  });

  it('records create, update and delete in the audit log without secrets', async () => {
    const conn = await createAs(owner, pgFields('audited'));
    await api(
      `/api/connections/${conn.id}`,
      jsonInit('PATCH', { password: 'new-audited-secret' }, owner.cookieHeaders),
    );
    await api(`/api/connections/${conn.id}`, { method: 'DELETE', headers: owner.cookieHeaders });
    const { results } = await env.DB.prepare(
      'select action, outcome, actor_id, organization_id, detail from audit_log where target = ? order by id',
    )
      .bind(`connection:${conn.id}`)
      .all<{
        action: string;
        outcome: string;
        actor_id: string;
        organization_id: string;
        detail: string | null;
      }>();
    expect(results.map((r) => r.action)).toEqual([
      'connection.create',
      'connection.update',
      'connection.delete',
    ]);
    expect(results.every((r) => r.actor_id === owner.userId && r.organization_id === owner.orgId)).toBe(true);
    expect(JSON.parse(results[1]!.detail!)).toEqual({ fields: ['password'] });
    expect(JSON.stringify(results)).not.toContain('secret-123');
    expect(JSON.stringify(results)).not.toContain('new-audited-secret');
  });

  it('refuses to open an engine for an inactive connection', async () => {
    const conn = await createAs(owner, { ...pgFields('inactive'), active: false });
    const auth = {
      userId: owner.userId,
      email: owner.email,
      orgId: owner.orgId,
      role: 'owner' as const,
      via: 'session' as const,
    };
    const err = await openEngine({ env }, authorize(auth, 'connection.read'), conn.id).then(
      () => null,
      (e: { status?: number; code?: string }) => e,
    );
    expect(err).toMatchObject({ status: 409, code: 'connection_inactive' });
    const other = { ...auth, orgId: p['other-org'].user!.orgId };
    await expect(openEngine({ env }, authorize(other, 'connection.read'), conn.id)).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe('connection validation', () => {
  const cases: [string, Record<string, unknown>, number, string][] = [
    ['unknown field', { ...pgFields('v1'), extra: 1 }, 400, 'invalid_request'],
    ['unsupported engine', { ...pgFields('v2'), engine: 'oracle' }, 400, 'unsupported_engine'],
    ['string and fields', { ...pgFields('v3'), connectionString: 'postgres://a@b/c' }, 400, 'invalid_config'],
    ['no host', { name: 'v4', engine: 'postgres' }, 400, 'invalid_config'],
    [
      'malformed string',
      { name: 'v5', engine: 'postgres', connectionString: 'postgres://u:leak-me-not@[bad/x' },
      400,
      'invalid_config',
    ],
    [
      'wrong scheme',
      { name: 'v6', engine: 'postgres', connectionString: 'mysql://u:leak-me-not@h/db' },
      400,
      'invalid_config',
    ],
    [
      'bad sslmode',
      { name: 'v7', engine: 'postgres', connectionString: 'postgres://u:leak-me-not@h/db?sslmode=maybe' },
      400,
      'invalid_config',
    ],
    ['bad port', { ...pgFields('v8'), port: 70000 }, 400, 'invalid_request'],
    ['bad color', { ...pgFields('v9'), color: 'red' }, 400, 'invalid_request'],
    [
      'sqlite with host',
      { name: 'v10', engine: 'sqlite', host: 'x', d1Binding: 'DEMO_DB' },
      400,
      'invalid_config',
    ],
  ];
  for (const [label, body, status, code] of cases) {
    it(`refuses ${label} with ${status} ${code}`, async () => {
      const res = await api('/api/connections', jsonInit('POST', body, owner.cookieHeaders));
      const text = await res.text();
      expect(res.status, text).toBe(status);
      expect(JSON.parse(text).error.code).toBe(code);
      expect(text).not.toContain('leak-me-not');
    });
  }

  it('validates a PATCH as strictly as a create, against the merged settings', async () => {
    const conn = await createAs(owner, pgFields('patched'));
    const path = `/api/connections/${conn.id}`;
    const unknown = await api(path, jsonInit('PATCH', { hostname: 'x' }, owner.cookieHeaders));
    expect([unknown.status, (await errorOf(unknown)).code]).toEqual([400, 'invalid_request']);
    const toSqlite = await api(path, jsonInit('PATCH', { engine: 'sqlite' }, owner.cookieHeaders));
    expect([toSqlite.status, (await errorOf(toSqlite)).code]).toEqual([400, 'invalid_config']);
    // Another engine and port is another server: the stored password is not carried over.
    const moved = await api(path, jsonInit('PATCH', { engine: 'mysql', port: 3306 }, owner.cookieHeaders));
    expect([moved.status, (await errorOf(moved)).code]).toEqual([400, 'password_required']);
    const toMysql = await api(
      path,
      jsonInit('PATCH', { engine: 'mysql', port: 3306, password: 'mysql-secret-1' }, owner.cookieHeaders),
    );
    expect(toMysql.status).toBe(200);
    expect(await toMysql.json()).toMatchObject({
      engine: 'mysql',
      host: 'db.internal',
      port: 3306,
      hasPassword: true,
    });
    const missing = await api(
      '/api/connections/00000000-0000-0000-0000-000000000000',
      jsonInit('PATCH', { name: 'x' }, owner.cookieHeaders),
    );
    expect(missing.status).toBe(404);
  });

  it('refuses a duplicate name in the same org with 409', async () => {
    await createAs(owner, pgFields('twin'));
    const res = await api('/api/connections', jsonInit('POST', pgFields('twin'), owner.cookieHeaders));
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe('connection_name_taken');
  });
});

describe('last used', () => {
  it('is stamped when an engine opens, at most once a minute', async () => {
    // Opening builds the engine without dialling: the host need not answer.
    const conn = await createAs(owner, pgFields('used'));
    expect(conn.lastUsedAt).toBeNull();
    const auth = {
      userId: owner.userId,
      email: owner.email,
      orgId: owner.orgId,
      role: 'viewer' as const,
      via: 'session' as const,
    };
    const usedAt = async () =>
      (
        await env.DB.prepare('select last_used_at as t from connection where id = ?')
          .bind(conn.id)
          .first<{ t: number | null }>()
      )?.t;

    await (await openEngine({ env }, authorize(auth, 'connection.read'), conn.id)).close();
    const first = await usedAt();
    expect(first).toBeGreaterThan(Date.now() - 60_000);

    const recent = Date.now() - 30_000;
    await env.DB.prepare('update connection set last_used_at = ? where id = ?').bind(recent, conn.id).run();
    // Written behind the app's back: read it as an isolate does once its cached copy has expired.
    forgetConnection(owner.orgId, conn.id);
    await (await openEngine({ env }, authorize(auth, 'connection.read'), conn.id)).close();
    expect(await usedAt()).toBe(recent);

    const stale = Date.now() - 120_000;
    await env.DB.prepare('update connection set last_used_at = ? where id = ?').bind(stale, conn.id).run();
    forgetConnection(owner.orgId, conn.id);
    await (await openEngine({ env }, authorize(auth, 'connection.read'), conn.id)).close();
    expect(await usedAt()).toBeGreaterThan(stale);
    const view = await (
      await api(`/api/connections/${conn.id}`, { headers: owner.cookieHeaders })
    ).json<ConnectionView>();
    expect(Date.parse(view.lastUsedAt ?? '')).toBeGreaterThan(stale);

    await (await openEngine({ env }, authorize(auth, 'connection.read'), 'builtin:demo')).close();
    const demo = await (
      await api('/api/connections/builtin:demo', { headers: owner.cookieHeaders })
    ).json<ConnectionView>();
    expect(Date.parse(demo.lastUsedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('opens built-in databases read-only', async () => {
    const auth = {
      userId: owner.userId,
      email: owner.email,
      orgId: owner.orgId,
      role: 'owner' as const,
      via: 'session' as const,
    };
    const engine = await openEngine({ env }, authorize(auth, 'connection.read'), 'builtin:demo');
    const count = await engine.query('select count(*) as n from Genre');
    await expect(engine.query("insert into Genre (Name) values ('Atrium test')")).rejects.toMatchObject({
      code: 'read_only_violation',
    });
    expect((await engine.query('select count(*) as n from Genre')).rows).toEqual(count.rows);
    await engine.close();
  });
});

describe('OpenAPI', () => {
  it('documents every connections route', async () => {
    const doc = await (await api('/api/openapi.json')).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    expect(Object.keys(doc.paths['/api/connections'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/connections/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
    expect(doc.paths['/api/connections/{id}/test']?.post).toBeDefined();
    expect(doc.paths['/api/connections/test']?.post).toBeDefined();
  });
});
