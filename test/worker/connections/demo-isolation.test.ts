import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../worker/app.ts';
import type { ConnectionView } from '../../../worker/connections/types.ts';
import { acquireSlot } from '../../../worker/queries/slots.ts';
import { addMember, api, createOrg, jsonInit, TEST_ORIGIN, type TestUser } from '../../support/auth.ts';

/**
 * The built-in demo is one D1 database every organization shares: nobody may write to it,
 * save a connection to its binding, or use up or reconfigure it for another organization.
 */

const DEMO = 'builtin:demo';
const app = createApp();
const call = (path: string, init: RequestInit, vars: Record<string, string> = {}) =>
  app.request(`${TEST_ORIGIN}${path}`, init, { ...env, ...vars });

async function errorOf(res: Response) {
  return (await res.json<{ error: { code: string; message: string } }>()).error;
}

const genreCount = async () =>
  (await env.DEMO_DB.prepare('select count(*) as n from Genre').first<{ n: number }>())?.n;

const query = (user: TestUser, body: Record<string, unknown>, vars?: Record<string, string>) =>
  call(`/api/connections/${DEMO}/query`, jsonInit('POST', body, user.cookieHeaders), vars);

let a: TestUser;
let b: TestUser;
let editorA: TestUser;
beforeAll(async () => {
  a = (await createOrg()).owner;
  b = (await createOrg()).owner;
  editorA = await addMember(a, 'editor');
});

describe('no saved connection names a built-in binding', () => {
  it('refuses DEMO_DB and DB on create, update and unsaved test', async () => {
    for (const d1Binding of ['DEMO_DB', 'DB']) {
      const created = await api(
        '/api/connections',
        jsonInit('POST', { name: `mine ${d1Binding}`, engine: 'sqlite', d1Binding }, a.cookieHeaders),
      );
      expect([created.status, (await errorOf(created)).code], d1Binding).toEqual([
        400,
        'binding_not_allowed',
      ]);
      const tested = await api(
        '/api/connections/test',
        jsonInit('POST', { engine: 'sqlite', d1Binding }, a.cookieHeaders),
      );
      expect([tested.status, (await errorOf(tested)).code], d1Binding).toEqual([400, 'binding_not_allowed']);
    }
    const pg = await api(
      '/api/connections',
      jsonInit('POST', { name: 'to move', engine: 'postgres', host: 'db.example.com' }, a.cookieHeaders),
    );
    expect(pg.status).toBe(201);
    const { id } = await pg.json<ConnectionView>();
    const moved = await api(
      `/api/connections/${id}`,
      jsonInit('PATCH', { engine: 'sqlite', d1Binding: 'DEMO_DB' }, a.cookieHeaders),
    );
    expect([moved.status, (await errorOf(moved)).code]).toEqual([400, 'binding_not_allowed']);
  });

  it('attaches only bindings listed in USER_D1_BINDINGS, and never a built-in even if listed', async () => {
    const vars = { USER_D1_BINDINGS: 'DEMO_DB, DB, TEAM_DB' };
    const save = (d1Binding: string) =>
      call(
        '/api/connections',
        jsonInit('POST', { name: `listed ${d1Binding}`, engine: 'sqlite', d1Binding }, a.cookieHeaders),
        vars,
      );
    for (const reserved of ['DEMO_DB', 'DB']) {
      const res = await save(reserved);
      expect([res.status, (await errorOf(res)).code], reserved).toEqual([400, 'binding_not_allowed']);
    }
    expect((await save('TEAM_DB')).status).toBe(201);
    // The same binding without the deployment listing it.
    const unlisted = await call(
      '/api/connections',
      jsonInit('POST', { name: 'unlisted', engine: 'sqlite', d1Binding: 'TEAM_DB' }, a.cookieHeaders),
    );
    expect([unlisted.status, (await errorOf(unlisted)).code]).toEqual([400, 'binding_not_allowed']);
  });

  it('refuses to open a row saved under the old rules, before anything reaches the demo', async () => {
    const res = await api(
      '/api/connections',
      jsonInit(
        'POST',
        { name: 'legacy demo copy', engine: 'postgres', host: 'db.example.com' },
        a.cookieHeaders,
      ),
    );
    const { id } = await res.json<ConnectionView>();
    // What `"d1Binding":"DEMO_DB"` used to save.
    await env.DB.prepare(
      "update connection set engine = 'sqlite', d1_binding = 'DEMO_DB', host = null, port = null, secret = null where id = ?",
    )
      .bind(id)
      .run();
    const before = await genreCount();
    const write = await api(
      `/api/connections/${id}/query`,
      jsonInit(
        'POST',
        { sql: "insert into Genre (Name) values ('legacy write')", readOnly: false },
        a.cookieHeaders,
      ),
    );
    expect([write.status, (await errorOf(write)).code]).toEqual([400, 'binding_not_allowed']);
    const tested = await api(`/api/connections/${id}/test`, { method: 'POST', headers: a.cookieHeaders });
    expect(tested.status).toBe(400);
    expect(await genreCount()).toBe(before);
  });
});

describe('builtin:demo is read-only for everyone', () => {
  it('refuses readOnly:false even for an owner, and defaults editors to read-only', async () => {
    const before = await genreCount();
    const sql = "insert into Genre (Name) values ('owner write')";
    for (const user of [a, editorA]) {
      const res = await query(user, { sql, readOnly: false });
      expect([res.status, (await errorOf(res)).code], user.role).toEqual([403, 'read_only_connection']);
    }
    const read = await query(editorA, { sql: 'select count(*) as n from Genre' });
    expect(read.status).toBe(200);
    expect((await read.json<{ readOnly: boolean }>()).readOnly).toBe(true);
    const defaulted = await query(editorA, { sql });
    expect(defaulted.status).toBeGreaterThanOrEqual(400);
    expect(await genreCount()).toBe(before);
  });

  it('refuses row writes and imports with 403 read_only_connection', async () => {
    const before = await genreCount();
    const rows = `/api/connections/${DEMO}/tables/main/Genre/rows`;
    const attempts: [string, RequestInit][] = [
      [rows, jsonInit('POST', { values: { Name: 'row write' } }, a.cookieHeaders)],
      [rows, jsonInit('PATCH', { key: { GenreId: 1 }, values: { Name: 'renamed' } }, a.cookieHeaders)],
      [rows, jsonInit('DELETE', { key: { GenreId: 1 } }, a.cookieHeaders)],
      [
        `/api/connections/${DEMO}/tables/main/Genre/import`,
        {
          method: 'POST',
          headers: { ...a.cookieHeaders, 'content-type': 'text/csv' },
          body: 'Name\nimported\n',
        },
      ],
    ];
    for (const [path, init] of attempts) {
      const res = await api(path, init);
      expect([res.status, (await errorOf(res)).code], `${init.method} ${path}`).toEqual([
        403,
        'read_only_connection',
      ]);
    }
    expect(await genreCount()).toBe(before);
    const genre1 = await env.DEMO_DB.prepare('select Name from Genre where GenreId = 1').first<{
      Name: string;
    }>();
    expect(genre1?.Name).toBe('Rock');
  });
});

describe("one organization's use of the demo is its own", () => {
  it('keeps query settings per organization', async () => {
    const settings = `/api/connections/${DEMO}/query-settings`;
    const put = (user: TestUser, body: Record<string, unknown>) =>
      api(settings, jsonInit('PUT', body, user.cookieHeaders));
    expect((await put(a, { cacheEnabled: true, cacheTtlSeconds: 120 })).status).toBe(200);
    const bSees = await (await api(settings, { headers: b.cookieHeaders })).json();
    expect(bSees).toEqual({ cacheEnabled: false, cacheTtlSeconds: 60 });
    expect((await put(b, { cacheEnabled: false, cacheTtlSeconds: 30 })).status).toBe(200);
    const aSees = await (await api(settings, { headers: a.cookieHeaders })).json();
    expect(aSees).toEqual({ cacheEnabled: true, cacheTtlSeconds: 120 });
    const rows = await env.DB.prepare('select org_id from query_settings where connection_id = ?')
      .bind(DEMO)
      .all<{ org_id: string }>();
    expect(rows.results.map((r) => r.org_id)).toEqual(expect.arrayContaining([a.orgId, b.orgId]));
  });

  it('counts concurrency slots per organization', async () => {
    const vars = { QUERY_CONCURRENCY: '1' };
    // Organization A holds its only slot (a long-running query, as this isolate's counter sees it).
    const held = acquireSlot(a.orgId, DEMO, { cap: 1, leaseMs: 60_000 });
    try {
      const busy = await query(a, { sql: 'select 1' }, vars);
      expect([busy.status, (await errorOf(busy)).code]).toEqual([429, 'too_many_concurrent_queries']);
      const other = await query(b, { sql: 'select 1' }, vars);
      expect(other.status, await other.clone().text()).toBe(200);
    } finally {
      held.release();
    }
  });

  it('counts the per-connection rate limit per organization', async () => {
    const c = (await createOrg()).owner;
    const d = (await createOrg()).owner;
    const vars = { QUERY_RATE_LIMIT_CONNECTION: '2/60' };
    expect((await query(c, { sql: 'select 1' }, vars)).status).toBe(200);
    expect((await query(c, { sql: 'select 1' }, vars)).status).toBe(200);
    const third = await query(c, { sql: 'select 1' }, vars);
    expect(third.status).toBe(429);
    const theirs = await query(d, { sql: 'select 1' }, vars);
    expect(theirs.status, await theirs.clone().text()).toBe(200);
  });

  it('shows each organization only its own history and metrics of the demo', async () => {
    const c = (await createOrg()).owner;
    const d = (await createOrg()).owner;
    for (let i = 0; i < 3; i++) expect((await query(c, { sql: `select ${i}` })).status).toBe(200);
    expect((await query(d, { sql: 'select 42' })).status).toBe(200);
    const history = async (user: TestUser) =>
      (
        await (
          await api(`/api/history?connectionId=${encodeURIComponent(DEMO)}`, { headers: user.cookieHeaders })
        ).json<{ items: { statement: string }[] }>()
      ).items.map((i) => i.statement);
    expect((await history(c)).sort()).toEqual(['select 0', 'select 1', 'select 2']);
    expect(await history(d)).toEqual(['select 42']);
    const metrics = await (await api(`/api/connections/${DEMO}/metrics`, { headers: d.cookieHeaders })).json<{
      total: number;
    }>();
    expect(metrics.total).toBe(1);
  });
});
