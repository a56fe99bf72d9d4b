import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../worker/app.ts';
import { heldSlots } from '../../../worker/queries/slots.ts';
import { api, jsonInit, TEST_ORIGIN } from '../../support/auth.ts';
import { CHINOOK_ID, uniqueName } from '../../support/fixtures.ts';
import { createTeam, type ErrorBody, query, sqlOk, type Team } from '../../support/team.ts';

let team: Team;
beforeAll(async () => {
  team = await createTeam();
}, 60_000);

const errorOf = async (res: Response) => (await res.json<ErrorBody>()).error;

describe('reads through the real drivers', () => {
  it('runs a parameterized read on Pagila (Postgres)', async () => {
    const body = await sqlOk(team.viewer, team.connections.pagila, {
      sql: 'select film_id, title from film where film_id = $1',
      params: [1],
    });
    expect(body.readOnly).toBe(true);
    expect(body.cached).toBe(false);
    expect(body.results[0]?.columns.map((c) => c.name)).toEqual(['film_id', 'title']);
    expect(body.results[0]?.rows).toEqual([[1, 'ACADEMY DINOSAUR']]);
  });

  it('runs a parameterized read on Sakila (MariaDB)', async () => {
    const body = await sqlOk(team.viewer, team.connections.sakila, {
      sql: 'select count(*) as n from rental where customer_id = ?',
      params: [1],
    });
    expect(body.results[0]?.rows).toEqual([[32]]);
  });

  it('runs a parameterized read on Chinook (D1)', async () => {
    const body = await sqlOk(team.viewer, CHINOOK_ID, {
      sql: 'select Name from Artist where ArtistId = ?',
      params: [1],
    });
    expect(body.results[0]?.rows).toEqual([['AC/DC']]);
  });

  it('caps rows at maxRows and says so', async () => {
    const body = await sqlOk(team.viewer, team.connections.pagila, {
      sql: 'select * from rental',
      maxRows: 7,
    });
    expect(body.results[0]?.rows).toHaveLength(7);
    expect(body.results[0]?.truncated).toBe(true);
  });

  it('splits a script respecting quotes, dollar quotes and comments; one result each', async () => {
    const body = await sqlOk(team.viewer, team.connections.pagila, {
      sql: "select ';' as a; -- a comment; still a comment\nselect $$x;y$$ as b; /* ; */ select 'it''s' as c;",
    });
    expect(body.results.map((r) => r.rows[0]?.[0])).toEqual([';', 'x;y', "it's"]);
  });

  it('answers a syntax error with 400, the SQLSTATE and a position in the submitted text', async () => {
    const sql = '-- leading comment\nselect * fro film';
    const res = await query(team.viewer, team.connections.pagila, { sql });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('query_error');
    expect(error.details?.dbCode).toBe('42601');
    const position = error.details?.position as number;
    expect(sql.slice(position - 1)).toMatch(/^(fro|film)/);
  });

  it('answers a MariaDB error with its errno', async () => {
    const res = await query(team.viewer, team.connections.sakila, { sql: 'select * from no_such_table' });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details?.dbCode).toBe('1146');
  });
});

describe('writes and transactions', () => {
  for (const [engine, key] of [
    ['postgres', 'pgScratch'],
    ['mysql', 'myScratch'],
  ] as const) {
    it(`${engine}: an editor writes; a script failing halfway leaves nothing behind`, async () => {
      const conn = team.connections[key];
      const table = uniqueName('tx');
      const p = engine === 'postgres' ? ['$1', '$2'] : ['?', '?'];
      await sqlOk(team.editor, conn, { sql: `create table ${table} (id int primary key, note varchar(50))` });
      const insert = await sqlOk(team.editor, conn, {
        sql: `insert into ${table} (id, note) values (${p[0]}, ${p[1]})`,
        params: [1, 'first'],
      });
      expect(insert.readOnly).toBe(false);
      expect(insert.results[0]?.affectedRows).toBe(1);

      const res = await query(team.editor, conn, {
        sql: `insert into ${table} values (2, 'two'); update ${table} set note = 'changed' where id = 1; insert into ${table} values (1, 'duplicate')`,
      });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).details?.dbCode).toBe(engine === 'postgres' ? '23505' : '1062');
      const after = await sqlOk(team.viewer, conn, { sql: `select id, note from ${table} order by id` });
      expect(after.results[0]?.rows).toEqual([[1, 'first']]);
    });

    it(`${engine}: the database refuses a viewer's write (read-only transaction)`, async () => {
      const conn = team.connections[key];
      const table = uniqueName('ro');
      await sqlOk(team.editor, conn, { sql: `create table ${table} (id int primary key)` });
      // A write the SQL text does not announce: only the database can refuse it.
      const sneaky =
        engine === 'postgres'
          ? `with w as (insert into ${table} values (1) returning id) select * from w`
          : `insert into ${table} select 1`;
      const res = await query(team.viewer, conn, { sql: sneaky });
      expect(res.status).toBe(403);
      const error = await errorOf(res);
      expect(error.code).toBe('read_only_violation');
      expect(error.details?.dbCode).toBe(engine === 'postgres' ? '25006' : '1792');
      // Editors may ask for read-only too, and get the same refusal.
      expect((await query(team.editor, conn, { sql: sneaky, readOnly: true })).status).toBe(403);
      const count = await sqlOk(team.viewer, conn, { sql: `select count(*) as n from ${table}` });
      expect(Number(count.results[0]?.rows[0]?.[0])).toBe(0);
    });
  }

  it('refuses a viewer who asks for a writable transaction', async () => {
    const res = await query(team.viewer, team.connections.pgScratch, { sql: 'select 1', readOnly: false });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('forbidden');
  });

  it('a Postgres script rolls back DDL too', async () => {
    const table = uniqueName('ddl');
    const res = await query(team.editor, team.connections.pgScratch, {
      statements: [{ sql: `create table ${table} (id int)` }, { sql: 'select 1/0' }],
    });
    expect(res.status).toBe(400);
    const exists = await sqlOk(team.viewer, team.connections.pgScratch, {
      sql: 'select count(*)::int from information_schema.tables where table_name = $1',
      params: [table],
    });
    expect(exists.results[0]?.rows).toEqual([[0]]);
  });
});

describe('timeouts', () => {
  it('pg_sleep past timeoutMs answers a timeout error', async () => {
    const res = await query(team.viewer, team.connections.pagila, {
      sql: 'select pg_sleep(5)',
      timeoutMs: 300,
    });
    expect(res.status).toBe(504);
    expect((await errorOf(res)).code).toBe('timeout');
  });

  it('SLEEP past timeoutMs answers a timeout error', async () => {
    const res = await query(team.viewer, team.connections.sakila, {
      sql: 'select sleep(5) from film limit 2',
      timeoutMs: 300,
    });
    expect(res.status).toBe(504);
    expect((await errorOf(res)).code).toBe('timeout');
  });
});

describe('limits', () => {
  const app = createApp();
  const call = (overrides: Partial<Cloudflare.Env>, body: object, connectionId = team.connections.pagila) =>
    app.request(
      `${TEST_ORIGIN}/api/connections/${connectionId}/query`,
      jsonInit('POST', body, team.viewer.bearerHeaders),
      { ...env, ...overrides },
      createExecutionContext(),
    );

  it('answers 429 with Retry-After past the per-user rate', async () => {
    const overrides = { QUERY_RATE_LIMIT_USER: '2/60' };
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) {
      // A fresh user each run so earlier tests' hits do not count.
      last = await call(overrides, { sql: 'select 1' });
      statuses.push(last.status);
    }
    expect(statuses.slice(-1)).toEqual([429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  // Slots are counted in the isolate that runs the query, which is this one (app.request).
  const slotsHeld = async (connectionId: string) => heldSlots(team.orgId, connectionId);

  it('caps concurrent queries per connection', async () => {
    const overrides = { QUERY_CONCURRENCY: '1' };
    const slow = call(overrides, { sql: 'select pg_sleep(2)' }, team.connections.pgScratch);
    // Wait until the first query holds its slot, then a second one must be refused.
    for (let i = 0; i < 100; i++) {
      if ((await slotsHeld(team.connections.pgScratch)) > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const second = await call(overrides, { sql: 'select 1' }, team.connections.pgScratch);
    expect(second.status).toBe(429);
    expect((await errorOf(second)).code).toBe('too_many_concurrent_queries');
    expect((await slow).status).toBe(200);
    // The slot is released when the execution finishes.
    await vi.waitFor(async () => expect(await slotsHeld(team.connections.pgScratch)).toBe(0));
    expect((await call(overrides, { sql: 'select 1' }, team.connections.pgScratch)).status).toBe(200);
  });
});

describe('history, audit, metrics, cache', () => {
  it('records every execution in history and the audit log', async () => {
    const marker = uniqueName('marker');
    await sqlOk(team.viewer, team.connections.pagila, { sql: `select '${marker}' as m` });
    await query(team.viewer, team.connections.pagila, { sql: `select '${marker}' from nowhere` });
    // Recorded after the response (waitUntil): poll until both land.
    const mine = await vi.waitFor(async () => {
      const res = await api(`/api/history?connectionId=${team.connections.pagila}&limit=200`, {
        headers: team.viewer.bearerHeaders,
      });
      expect(res.status).toBe(200);
      const { items } = await res.json<{ items: { statement: string; outcome: string; userId: string }[] }>();
      const found = items.filter((i) => i.statement.includes(marker));
      expect(found.map((i) => i.outcome).sort()).toEqual(['error', 'ok']);
      return found;
    });
    expect(mine.every((i) => i.userId === team.viewer.userId)).toBe(true);
    const audit = await env.DB.prepare(
      "select outcome from audit_log where action = 'query.query' and actor_id = ? and statement like ?",
    )
      .bind(team.viewer.userId, `%${marker}%`)
      .all<{ outcome: string }>();
    expect(audit.results.map((r) => r.outcome).sort()).toEqual(['failure', 'success']);
  });

  it('pages history with a cursor, newest first, without repeats', async () => {
    for (let i = 0; i < 5; i++) await sqlOk(team.viewer, CHINOOK_ID, { sql: `select ${i}` });
    // Recorded after the response (waitUntil): page again until all five have landed.
    await vi.waitFor(async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const qs: string = `connectionId=${encodeURIComponent(CHINOOK_ID)}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await api(`/api/history?${qs}`, { headers: team.viewer.bearerHeaders });
        const page = await res.json<{ items: { id: string }[]; nextCursor: string | null }>();
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.length).toBeGreaterThanOrEqual(5);
      expect(new Set(seen).size).toBe(seen.length);
    });
  });

  it('reports metrics for a connection', async () => {
    const res = await api(`/api/connections/${team.connections.pagila}/metrics?windowMinutes=60`, {
      headers: team.viewer.bearerHeaders,
    });
    expect(res.status).toBe(200);
    const m = await res.json<{
      total: number;
      errors: number;
      errorRate: number;
      p50Ms: number;
      p95Ms: number;
    }>();
    expect(m.total).toBeGreaterThan(3);
    expect(m.errors).toBeGreaterThan(0);
    expect(m.errorRate).toBeCloseTo(m.errors / m.total);
    expect(m.p95Ms).toBeGreaterThanOrEqual(m.p50Ms);
  });

  it('serves identical read-only queries from the cache when the connection opts in', async () => {
    const body = { sql: 'select count(*)::int as n from film where rating = $1', params: ['PG'] };
    const first = await sqlOk(team.viewer, team.connections.pagila, body);
    expect(first.cached).toBe(false);
    // Only admins change the setting.
    const settingsPath = `/api/connections/${team.connections.pagila}/query-settings`;
    const on = { cacheEnabled: true, cacheTtlSeconds: 120 };
    expect((await api(settingsPath, jsonInit('PUT', on, team.editor.bearerHeaders))).status).toBe(403);
    expect((await api(settingsPath, jsonInit('PUT', on, team.owner.bearerHeaders))).status).toBe(200);
    const second = await sqlOk(team.viewer, team.connections.pagila, body);
    const third = await sqlOk(team.viewer, team.connections.pagila, body);
    expect(second.cached).toBe(false);
    expect(third.cached).toBe(true);
    expect(third.results).toEqual(second.results);
    // Writes are never cached.
    const write = await sqlOk(team.editor, team.connections.pagila, { ...body, readOnly: false });
    expect(write.cached).toBe(false);
    await api(
      settingsPath,
      jsonInit('PUT', { cacheEnabled: false, cacheTtlSeconds: 60 }, team.owner.bearerHeaders),
    );
  });
});

describe('saved queries', () => {
  it('CRUD per organization; viewers read, editors write', async () => {
    const create = {
      name: 'Top films',
      sql: 'select * from film limit 10',
      connectionId: team.connections.pagila,
    };
    expect(
      (await api('/api/saved-queries', jsonInit('POST', create, team.viewer.bearerHeaders))).status,
    ).toBe(403);
    const res = await api('/api/saved-queries', jsonInit('POST', create, team.editor.bearerHeaders));
    expect(res.status).toBe(201);
    const saved = await res.json<{ id: string; name: string }>();
    const list = await api('/api/saved-queries', { headers: team.viewer.bearerHeaders });
    expect((await list.json<{ items: { id: string }[] }>()).items.map((i) => i.id)).toContain(saved.id);
    const patched = await api(
      `/api/saved-queries/${saved.id}`,
      jsonInit('PATCH', { name: 'Renamed' }, team.editor.bearerHeaders),
    );
    expect((await patched.json<{ name: string }>()).name).toBe('Renamed');
    // Another organization cannot see it.
    const outsider = await createTeam();
    expect(
      (await api(`/api/saved-queries/${saved.id}`, { headers: outsider.owner.bearerHeaders })).status,
    ).toBe(404);
    expect(
      (await api(`/api/saved-queries/${saved.id}`, { method: 'DELETE', headers: team.editor.bearerHeaders }))
        .status,
    ).toBe(204);
    expect((await api(`/api/saved-queries/${saved.id}`, { headers: team.viewer.bearerHeaders })).status).toBe(
      404,
    );
  }, 60_000);
});

describe('access', () => {
  it('needs a member of the connection’s organization', async () => {
    const anonymous = await api(
      `/api/connections/${team.connections.pagila}/query`,
      jsonInit('POST', { sql: 'select 1' }, { Origin: TEST_ORIGIN }),
    );
    expect(anonymous.status).toBe(401);
    const outsider = await createTeam();
    // Another organization's connection does not exist for this caller.
    const res = await query(outsider.owner, team.connections.pagila, { sql: 'select 1' });
    expect(res.status).toBe(404);
    const rows = await api(`/api/connections/${team.connections.pagila}/tables/public/film/rows`, {
      headers: outsider.owner.bearerHeaders,
    });
    expect(rows.status).toBe(404);
    const metrics = await api(`/api/connections/${team.connections.pagila}/metrics`, {
      headers: outsider.owner.bearerHeaders,
    });
    expect(metrics.status).toBe(404);
  }, 60_000);
});

describe('Server-Timing', () => {
  const phases = (res: Response) =>
    new Map(
      (res.headers.get('server-timing') ?? '')
        .split(',')
        .map((entry) => /^\s*([\w-]+);dur=([\d.]+)\s*$/.exec(entry))
        .filter((m) => m !== null)
        .map((m) => [m[1], Number(m[2])] as const),
    );

  it('reports every phase of a query with a numeric duration', async () => {
    const res = await query(team.viewer, team.connections.pagila, { sql: 'select 1' });
    expect(res.status).toBe(200);
    const timing = phases(res);
    for (const name of ['auth', 'limits', 'metadata', 'engine', 'format', 'total']) {
      expect(Number.isFinite(timing.get(name)), `${name} in ${res.headers.get('server-timing')}`).toBe(true);
    }
  });

  it('is on error responses too', async () => {
    const res = await query(team.viewer, 'no-such-connection', { sql: 'select 1' });
    expect(res.status).toBe(404);
    expect([...phases(res).keys()]).toEqual(expect.arrayContaining(['auth', 'total']));
  });
});
