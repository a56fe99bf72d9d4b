/**
 * SQLite databases hosted by Atrium, end to end through the API: an admin creates one, an editor
 * fills it from a SQL dump (a refused statement is reported with its line, the rest goes in) and
 * a CSV, then it is an ordinary connection — query, sync, read-only for viewers — until an admin
 * drops it, typing its name, and the audit log says so.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import chinookScript from '../../../../shared/datasets/chinook-sqlite/Chinook_Sqlite.sql?raw';
import { hostedSqliteEngine } from '../../../worker/engines/sqlite/hosted-do.ts';
import { addMember, api, createOrg, jsonInit, type TestUser } from '../../support/auth.ts';
import { connectionPath, uniqueName } from '../../support/fixtures.ts';
import { type ErrorBody, query, sqlOk } from '../../support/team.ts';

interface Hosted {
  id: string;
  name: string;
  sizeBytes: number;
  limitBytes: number;
}
interface ImportEventBody {
  type: 'progress' | 'done' | 'failed';
  executed: number;
  failed?: number;
  skipped?: number;
  statements?: number;
  errors?: { line: number; message: string }[];
  foreignKeyViolations?: number;
  code?: string;
}

/** The dump as `sqlite3 .dump` writes it, with a typo on line 9 and a trigger whose body holds `;`. */
const DUMP = `PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE track (id INTEGER PRIMARY KEY, album_id INTEGER REFERENCES album(id), title TEXT);
INSERT INTO track VALUES(1,10,'It''s; fine');
INSERT INTO track VALUES(2,10,'Second');
CREATE TABLE album (id INTEGER PRIMARY KEY, name TEXT, tracks INTEGER DEFAULT 0);
INSERT INTO album VALUES(10,'First album',0);
/* a comment; with a semicolon */
INSRT INTO album VALUES(11,'Typo',0);
CREATE TRIGGER count_tracks AFTER INSERT ON track BEGIN
  UPDATE album SET tracks = tracks + 1 WHERE id = new.album_id;
END;
CREATE INDEX track_album ON track(album_id);
COMMIT;
`;

async function importDump(user: TestUser, id: string, body: string): Promise<ImportEventBody[]> {
  const res = await api(`/api/hosted-databases/${id}/import`, {
    method: 'POST',
    headers: { ...user.bearerHeaders, 'content-type': 'application/sql' },
    body,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/x-ndjson');
  return (await res.text())
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ImportEventBody);
}

describe('hosted SQLite databases', () => {
  let owner: TestUser;
  let admin: TestUser;
  let editor: TestUser;
  let viewer: TestUser;
  let db: Hosted;

  beforeAll(async () => {
    const org = await createOrg();
    owner = org.owner;
    [admin, editor, viewer] = await Promise.all([
      addMember(org, 'admin'),
      addMember(org, 'editor'),
      addMember(org, 'viewer'),
    ]);
    const res = await api(
      '/api/hosted-databases',
      jsonInit('POST', { name: uniqueName('Music') }, admin.bearerHeaders),
    );
    expect(res.status).toBe(201);
    db = await res.json<Hosted>();
  });

  it('is created empty, shows its size and the 10 GB per-object limit, and lists as a SQLite connection', async () => {
    expect(db.limitBytes).toBe(10_000_000_000);
    const read = await api(`/api/hosted-databases/${db.id}`, { headers: viewer.bearerHeaders });
    expect(read.status).toBe(200);
    expect((await read.json<Hosted>()).sizeBytes).toBeGreaterThan(0);
    const conn = await api(connectionPath(db.id), { headers: viewer.bearerHeaders });
    expect(conn.status).toBe(200);
    expect(await conn.json()).toMatchObject({ id: db.id, engine: 'sqlite', name: db.name });
    const test = await api(connectionPath(db.id, '/test'), jsonInit('POST', {}, viewer.bearerHeaders));
    expect(await test.json()).toMatchObject({
      ok: true,
      serverVersion: expect.stringMatching(/Durable Object/),
    });
  });

  it('cannot be made or re-pointed through the plain connection routes', async () => {
    const made = await api(
      '/api/connections',
      jsonInit(
        'POST',
        { name: uniqueName('Sneaky'), engine: 'sqlite', transport: 'hosted' },
        admin.bearerHeaders,
      ),
    );
    expect(made.status).toBe(400);
    const moved = await api(
      connectionPath(db.id),
      jsonInit('PATCH', { d1Binding: 'SOMEWHERE' }, admin.bearerHeaders),
    );
    expect((await moved.json<ErrorBody>()).error.code).toBe('hosted_database');
    const renamed = await api(
      connectionPath(db.id),
      jsonInit('PATCH', { description: 'songs' }, admin.bearerHeaders),
    );
    expect(renamed.status).toBe(200);
  });

  it('refuses viewers and editors who try to create or drop one', async () => {
    for (const who of [viewer, editor]) {
      const created = await api(
        '/api/hosted-databases',
        jsonInit('POST', { name: uniqueName('No') }, who.bearerHeaders),
      );
      expect(created.status).toBe(403);
      const dropped = await api(
        `/api/hosted-databases/${db.id}`,
        jsonInit('DELETE', { confirm: db.name }, who.bearerHeaders),
      );
      expect(dropped.status).toBe(403);
    }
    const imported = await api(`/api/hosted-databases/${db.id}/import`, {
      method: 'POST',
      headers: { ...viewer.bearerHeaders, 'content-type': 'application/sql' },
      body: 'CREATE TABLE nope (x);',
    });
    expect(imported.status).toBe(403);
  });

  it('imports a dump, reporting the refused statement with its line and keeping the rest', async () => {
    const events = await importDump(editor, db.id, DUMP);
    const done = events.at(-1)!;
    expect(events.some((e) => e.type === 'progress')).toBe(true);
    expect(done).toMatchObject({ type: 'done', statements: 11, executed: 7, failed: 1, skipped: 3 });
    expect(done.errors).toEqual([{ line: 9, message: expect.stringMatching(/syntax error/) }]);
    expect(done.foreignKeyViolations).toBe(0);

    const rows = await sqlOk(viewer, db.id, { sql: 'select id, title from track order by id' });
    expect(rows.results[0]!.rows).toEqual([
      [1, "It's; fine"],
      [2, 'Second'],
    ]);
    // The trigger came in whole: it fires on the next insert.
    await sqlOk(editor, db.id, { sql: "insert into track values (3, 10, 'Third')" });
    const album = await sqlOk(viewer, db.id, { sql: 'select tracks from album where id = 10' });
    expect(album.results[0]!.rows).toEqual([[1]]);
    // Foreign keys are enforced again after the import.
    const orphan = await query(editor, db.id, { sql: "insert into track values (4, 99, 'Orphan')" });
    expect(orphan.status).toBe(400);
  });

  it('is read-only for viewers, refused by the object itself', async () => {
    const res = await query(viewer, db.id, { sql: 'delete from track' });
    expect(res.status).toBe(403);
    const asked = await query(editor, db.id, { sql: 'delete from track', readOnly: true });
    expect((await asked.json<ErrorBody>()).error.code).toBe('read_only_violation');
    const count = await sqlOk(viewer, db.id, { sql: 'select count(*) from track' });
    expect(count.results[0]!.rows).toEqual([[3]]);
  });

  it('takes a CSV into a table through the connection import', async () => {
    const res = await api(connectionPath(db.id, '/tables/main/album/import'), {
      method: 'POST',
      headers: { ...editor.bearerHeaders, 'content-type': 'text/csv' },
      body: 'id,name\n20,From CSV\n21,"Quoted, name"\n',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ inserted: 2, failed: 0 });
    const names = await sqlOk(viewer, db.id, { sql: 'select name from album where id >= 20 order by id' });
    expect(names.results[0]!.rows).toEqual([['From CSV'], ['Quoted, name']]);
  });

  // The shared dataset's script (multi-row INSERTs, bracketed names, banner comments) and the
  // same database as `sqlite3 .dump` prints it (BEGIN/COMMIT, PRAGMA, 15,607 one-row INSERTs).
  it.each([
    ['the Chinook script', chinookScript],
    ['a `sqlite3 .dump` of Chinook', inject('chinookDump')],
  ])('loads %s and syncs its 11 tables, 64 columns and 11 foreign keys', async (_what, text) => {
    const res = await api(
      '/api/hosted-databases',
      jsonInit('POST', { name: uniqueName('Chinook') }, owner.bearerHeaders),
    );
    const chinook = await res.json<Hosted>();
    const events = await importDump(editor, chinook.id, text);
    expect(events.at(-1)).toMatchObject({ type: 'done', failed: 0, foreignKeyViolations: 0 });
    expect(events.filter((e) => e.type === 'progress').length).toBeGreaterThan(1);
    const synced = await api(connectionPath(chinook.id, '/sync'), {
      method: 'POST',
      headers: editor.bearerHeaders,
    });
    expect(await synced.json()).toMatchObject({ tableCount: 11, columnCount: 64 });
    const snapshot = await hostedSqliteEngine(env.HOSTED_SQLITE, chinook.id).introspect();
    expect(snapshot.tables.reduce((n, t) => n + t.foreignKeys.length, 0)).toBe(11);
    const tracks = await sqlOk(viewer, chinook.id, { sql: 'select count(*) from Track' });
    expect(tracks.results[0]!.rows).toEqual([[3503]]);
  });

  it('is dropped only through its own route, with its name typed, and the drop is audited', async () => {
    const plain = await api(connectionPath(db.id), { method: 'DELETE', headers: admin.bearerHeaders });
    expect(plain.status).toBe(409);
    const wrong = await api(
      `/api/hosted-databases/${db.id}`,
      jsonInit('DELETE', { confirm: 'music' }, admin.bearerHeaders),
    );
    expect((await wrong.json<ErrorBody>()).error.code).toBe('confirmation_mismatch');
    const dropped = await api(
      `/api/hosted-databases/${db.id}`,
      jsonInit('DELETE', { confirm: db.name }, admin.bearerHeaders),
    );
    expect(dropped.status).toBe(204);
    expect((await api(connectionPath(db.id), { headers: admin.bearerHeaders })).status).toBe(404);
    // The object's storage is gone too, not only the rows that pointed at it.
    const left = await hostedSqliteEngine(env.HOSTED_SQLITE, db.id).query(
      "select count(*) from sqlite_master where type = 'table' and name not like '\\_cf%' escape '\\'",
    );
    expect(left.rows).toEqual([[0]]);
    const log = await api('/api/audit?limit=50', { headers: owner.bearerHeaders });
    const { entries } = await log.json<{ entries: { action: string; target: string; detail: unknown }[] }>();
    const actions = entries.filter((e) => e.target === `connection:${db.id}`).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['hosted_database.create', 'hosted_database.import', 'hosted_database.drop']),
    );
  });
});

describe('deleting an organization', () => {
  it("wipes its hosted databases' objects, which no D1 cascade reaches", async () => {
    const owner = await createOrg().then((o) => o.owner);
    const made = await api(
      '/api/orgs',
      jsonInit('POST', { name: uniqueName('Doomed') }, owner.cookieHeaders),
    );
    const org = await made.json<{ id: string }>();
    await api(`/api/orgs/${org.id}/activate`, { method: 'POST', headers: owner.cookieHeaders });
    const res = await api(
      '/api/hosted-databases',
      jsonInit('POST', { name: uniqueName('Doomed db') }, owner.cookieHeaders),
    );
    const db = await res.json<Hosted>();
    const engine = hostedSqliteEngine(env.HOSTED_SQLITE, db.id);
    await engine.query('create table kept (x)');
    const gone = await api(`/api/orgs/${org.id}`, { method: 'DELETE', headers: owner.cookieHeaders });
    expect(gone.status).toBe(200);
    const left = await engine.query("select count(*) from sqlite_master where name = 'kept'");
    expect(left.rows).toEqual([[0]]);
  });
});
