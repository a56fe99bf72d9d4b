import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { authorize } from '../../../worker/auth/policy.ts';
import { openEngine } from '../../../worker/connections/open-engine.ts';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import { addMember, api, createOrg, jsonInit, type TestUser } from '../../support/auth.ts';

/**
 * A password planted in every kind of connection, then every route exercised:
 * the plaintext must appear in no response, no console line and no D1 row.
 */
const PLANT = 'Zq9-planted-Pa55word!';
const MYSQL_USER = 'atrium_planted';
const forms = [PLANT, encodeURIComponent(PLANT), btoa(PLANT)];

const seen: string[] = [];
const logged: string[] = [];

async function call(path: string, init: RequestInit = {}) {
  const res = await api(path, init);
  const text = await res.text();
  seen.push(`${res.status} ${path} ${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${text}`);
  return { status: res.status, json: () => JSON.parse(text) as Record<string, unknown> };
}

let owner: TestUser;
let viewer: TestUser;
beforeAll(async () => {
  // A MySQL account whose real password is the plant, so success paths carry it too.
  const root = createEngine({ engine: 'mysql', host: '127.0.0.1', port: 3306, user: 'root' }, env);
  await root.query(`create user if not exists '${MYSQL_USER}'@'127.0.0.1' identified by '${PLANT}'`);
  await root.query(`alter user '${MYSQL_USER}'@'127.0.0.1' identified by '${PLANT}'`);
  await root.query(`grant select on sakila.* to '${MYSQL_USER}'@'127.0.0.1'`);
  await root.close();
  const org = await createOrg();
  owner = org.owner;
  viewer = await addMember(org, 'viewer');
  for (const method of ['log', 'error', 'warn', 'info', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (typeof a === 'string' ? a : (JSON.stringify(a) ?? String(a)))).join(' '));
    });
  }
});
afterAll(() => vi.restoreAllMocks());

describe('a planted password', () => {
  it('never leaves the vault', async () => {
    const h = owner.cookieHeaders;
    const pg = {
      engine: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      database: 'pagila',
      password: PLANT,
    };
    const my = {
      engine: 'mysql',
      host: '127.0.0.1',
      port: 3306,
      user: MYSQL_USER,
      database: 'sakila',
      password: PLANT,
    };
    const myUrl = {
      engine: 'mysql',
      connectionString: `mysql://${MYSQL_USER}:${encodeURIComponent(PLANT)}@127.0.0.1:3306/sakila`,
    };
    const pgUrlRefused = {
      engine: 'postgres',
      connectionString: `postgres://postgres:${encodeURIComponent(PLANT)}@127.0.0.1:1/pagila`,
    };

    const ids: string[] = [];
    for (const [name, body] of [
      ['pg fields', pg],
      ['my fields', my],
      ['my url', myUrl],
      ['pg refused', pgUrlRefused],
      ['my wrong user', { ...my, user: 'root' }],
    ] as const) {
      const created = await call('/api/connections', jsonInit('POST', { name, ...body }, h));
      expect(created.status, name).toBe(201);
      ids.push(String(created.json().id));
    }

    const tested: number[] = [];
    for (const id of ids) {
      tested.push((await call(`/api/connections/${id}/test`, { method: 'POST', headers: h })).status);
      await call(`/api/connections/${id}`, { headers: viewer.cookieHeaders });
    }
    // Success and failure paths both ran.
    expect(tested).toEqual([200, 200, 200, 502, 502]);

    await call('/api/connections', { headers: h });
    await call('/api/connections', { headers: viewer.bearerHeaders });
    for (const body of [
      pg,
      my,
      myUrl,
      pgUrlRefused,
      { ...my, user: 'root' },
      { ...pg, host: 'no-such-host.invalid' },
    ]) {
      await call('/api/connections/test', jsonInit('POST', body, h));
    }
    // Refused requests that carry the plant: bad schema, bad config, a viewer, an unsupported engine.
    await call('/api/connections', jsonInit('POST', { name: 'x', ...pg, unknownField: PLANT }, h));
    await call(
      '/api/connections',
      jsonInit('POST', { name: 'x', engine: 'postgres', connectionString: `postgres://u:${PLANT}@[bad` }, h),
    );
    await call('/api/connections', jsonInit('POST', { name: 'x', ...pgUrlRefused, password: PLANT }, h));
    await call('/api/connections', jsonInit('POST', { name: 'x', ...pg, engine: 'oracle' }, h));
    await call('/api/connections/test', jsonInit('POST', pg, viewer.cookieHeaders));
    await call('/api/connections', jsonInit('POST', { name: 'dup', ...pg }, h));
    await call('/api/connections', jsonInit('POST', { name: 'dup', ...pg }, h));

    await call(`/api/connections/${ids[0]}`, jsonInit('PATCH', { password: PLANT, description: 'again' }, h));
    await call(`/api/connections/${ids[2]}`, jsonInit('PATCH', { database: 'sakila' }, h));
    await call(
      `/api/connections/${ids[1]}`,
      jsonInit('PATCH', { connectionString: myUrl.connectionString, tags: ['t'] }, h),
    );
    await call(
      `/api/connections/${ids[1]}`,
      jsonInit('PATCH', { connectionString: `mysql://u:${PLANT}@` }, h),
    );

    // The engine path other routes use, including a failing statement.
    const auth = {
      userId: owner.userId,
      email: owner.email,
      orgId: owner.orgId,
      role: 'owner' as const,
      via: 'session' as const,
    };
    for (const id of ids.slice(0, 3)) {
      const engine = await openEngine({ env }, authorize(auth, 'connection.read'), id);
      const ok = await engine.query('select 1 as one');
      expect(ok.rows).toEqual([[1]]);
      const failed = await engine.query('select * from no_such_table_here').catch((e: Error) => e.message);
      expect(String(failed)).toMatch(/no_such_table_here/);
      seen.push(String(failed));
      await engine.close();
    }
    const refused = await openEngine({ env }, authorize(auth, 'connection.read'), ids[3]!);
    const refusal = String(await refused.query('select 1').catch((e: Error) => `${e.name}: ${e.message}`));
    expect(refusal).toMatch(/ECONNREFUSED|refused/i);
    seen.push(refusal);

    await call(`/api/connections/${ids[4]}`, { method: 'DELETE', headers: h });

    // What we scanned is real: responses were captured and the request log went through the spy.
    expect(seen.length).toBeGreaterThan(30);
    expect(logged.some((l) => l.includes('/api/connections'))).toBe(true);

    const tables = await env.DB.prepare(
      "select name from sqlite_master where type = 'table' and name not like '\\_%' escape '\\'",
    ).all<{ name: string }>();
    const dump: string[] = [];
    for (const { name } of tables.results) {
      if (name.startsWith('sqlite_')) continue;
      const rows = await env.DB.prepare(`select * from "${name}"`).all();
      dump.push(`${name}: ${JSON.stringify(rows.results)}`);
    }
    expect(dump.join('\n')).toContain('v1.k1.'); // envelopes are there, just not the plaintext

    for (const form of forms) {
      for (const [what, texts] of [
        ['responses', seen],
        ['console', logged],
        ['D1', dump],
      ] as const) {
        const hit = texts.find((t) => t.includes(form));
        expect(hit, `${what} contain ${form}`).toBeUndefined();
      }
    }
  });
});
