/**
 * Saved SQLite connections over HTTP, through the API: D1's REST API and libSQL, to the local
 * stand-ins (dev/endpoints) serving the shared Chinook file. The token lives in the vault and
 * never comes back in a response; a wrong one is the database's refusal; the schema syncs to the
 * figures the shared datasets README gives; viewers cannot write.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionView } from '../../../worker/connections/types.ts';
import { addMember, api, createOrg, jsonInit, type TestUser } from '../../support/auth.ts';
import { connectionPath } from '../../support/fixtures.ts';
import { query, saveConnection, sqlOk } from '../../support/team.ts';
import { sync } from '../schema/support.ts';

const TOKEN = 'atrium-local-token';
const d1 = (database: string) => ({
  engine: 'sqlite',
  transport: 'd1-http',
  accountId: 'local',
  database,
  password: TOKEN,
});
const libsql = (name: string) => ({
  engine: 'sqlite',
  transport: 'libsql-http',
  connectionString: `libsql://localhost/${name}`,
  password: TOKEN,
});

let owner: TestUser;
let viewer: TestUser;
/** Every response body this file reads, to show the token never appears in one. */
const seen: string[] = [];

async function read(res: Response): Promise<{ status: number; body: unknown }> {
  const text = await res.text();
  seen.push(text);
  return { status: res.status, body: JSON.parse(text) as unknown };
}

beforeAll(async () => {
  const org = await createOrg();
  owner = org.owner;
  viewer = await addMember(org, 'viewer');
});

describe.each([
  { transport: 'd1-http', settings: d1, label: /over D1's API/ },
  { transport: 'libsql-http', settings: libsql, label: /over libSQL at localhost/ },
])('$transport', ({ transport, settings, label }) => {
  let id: string;
  beforeAll(async () => {
    id = await saveConnection(owner, `Chinook ${transport}`, settings('chinook'));
  });

  it('keeps the token in the vault and shows the transport', async () => {
    const { status, body } = await read(await api(connectionPath(id), { headers: owner.bearerHeaders }));
    expect(status).toBe(200);
    const view = body as ConnectionView;
    expect(view.engine).toBe('sqlite');
    expect(view.transport).toBe(transport);
    expect(view.hasPassword).toBe(true);
    expect(view.d1Binding).toBeNull();
  });

  it('tests, syncs Chinook (11 tables, 64 columns) and answers a viewer read', async () => {
    const test = await read(
      await api(connectionPath(id, '/test'), jsonInit('POST', {}, owner.bearerHeaders)),
    );
    expect(test.body).toMatchObject({ ok: true });
    const synced = await sync(owner, id);
    expect(synced.tableCount).toBe(11);
    expect(synced.columnCount).toBe(64);
    const out = await sqlOk(viewer, id, { sql: 'select count(*) from Track' });
    seen.push(JSON.stringify(out));
    expect(out.results[0]?.rows).toEqual([[3503]]);
  });

  it('refuses a viewer write, enforced before the database', async () => {
    const { status, body } = await read(
      await query(viewer, id, { sql: "insert into Genre (Name) values ('x')" }),
    );
    expect(status).toBe(403);
    expect(JSON.stringify(body)).toMatch(/read_only|forbidden/);
  });

  it('reports a wrong token as auth_failed, naming the database but never a token', async () => {
    const wrongId = await saveConnection(owner, `Wrong ${transport}`, {
      ...settings('chinook'),
      password: 'wrong-s3cret-token',
    });
    const { body } = await read(
      await api(connectionPath(wrongId, '/test'), jsonInit('POST', {}, owner.bearerHeaders)),
    );
    const outcome = body as { ok: boolean; error: { code: string; message: string } };
    expect(outcome.ok).toBe(false);
    expect(outcome.error.code).toBe('auth_failed');
    expect(outcome.error.message).toMatch(label);
  });

  it('moving the connection elsewhere needs the token again', async () => {
    const patch =
      transport === 'd1-http'
        ? { database: 'scratch' }
        : { connectionString: 'libsql://other-db.example.com' };
    const moved = await read(await api(connectionPath(id), jsonInit('PATCH', patch, owner.bearerHeaders)));
    expect(moved.status).toBe(400);
    expect(JSON.stringify(moved.body)).toContain('password_required');
  });
});

it('never returns a token in any response', () => {
  expect(seen.length).toBeGreaterThan(10);
  for (const text of seen) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('wrong-s3cret-token');
  }
});

it('validates the fields each transport takes before saving', async () => {
  const missing = await api(
    '/api/connections',
    jsonInit('POST', { name: 'x', ...d1('chinook'), accountId: undefined }, owner.bearerHeaders),
  );
  expect(missing.status).toBe(400);
  const stray = await api(
    '/api/connections',
    jsonInit('POST', { name: 'y', ...libsql('chinook'), host: 'example.com' }, owner.bearerHeaders),
  );
  expect(stray.status).toBe(400);
  const inUrl = await api(
    '/api/connections',
    jsonInit(
      'POST',
      { name: 'z', ...libsql('chinook'), connectionString: 'libsql://u:p@localhost/chinook' },
      owner.bearerHeaders,
    ),
  );
  expect(inUrl.status).toBe(400);
  // A token is never sent in clear text to a public server.
  const plain = await api(
    '/api/connections',
    jsonInit(
      'POST',
      { name: 'w', ...libsql('chinook'), connectionString: 'http://db.example.com' },
      owner.bearerHeaders,
    ),
  );
  expect(await plain.text()).toContain('over TLS');
});

it('syncs an FTS5 table and its shadow tables as such, and exports DDL without the shadows', async () => {
  const id = await saveConnection(owner, 'libSQL scratch', libsql('scratch'));
  const docs = `docs_${crypto.randomUUID().slice(0, 8)}`;
  await sqlOk(owner, id, { sql: `create virtual table ${docs} using fts5(title, body)` });
  await sync(owner, id);
  const detail = async (name: string) => {
    const res = await api(connectionPath(id, `/schema/tables/main/${name}`), {
      headers: owner.bearerHeaders,
    });
    return ((await read(res)).body as { table: { sqlite?: object } }).table.sqlite;
  };
  expect(await detail(docs)).toMatchObject({ virtual: { module: 'fts5' } });
  expect(await detail(`${docs}_data`)).toEqual({ shadowOf: docs });
  const tree = await read(
    await api(connectionPath(id, '/schema?schema=main&limit=500'), { headers: owner.bearerHeaders }),
  );
  const items = (tree.body as { items: { name: string; sqlite?: object }[] }).items;
  expect(items.find((t) => t.name === `${docs}_idx`)?.sqlite).toEqual({ shadowOf: docs });
  expect(items.find((t) => t.name === docs)?.sqlite).toMatchObject({ virtual: { module: 'fts5' } });
  const ddl = await (
    await api(connectionPath(id, '/schema/export'), { headers: owner.bearerHeaders })
  ).text();
  expect(ddl).toContain(`CREATE VIRTUAL TABLE ${docs} using fts5(title, body);`);
  expect(ddl).not.toContain(`"${docs}_data"`);
});
