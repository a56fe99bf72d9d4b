import { env } from 'cloudflare:workers';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { addMember, api, createUser, jsonInit, type TestUser } from '../../support/auth.ts';
import { uniqueName } from '../../support/fixtures.ts';
import { createTeam, type ErrorBody, sqlOk, type Team } from '../../support/team.ts';

let team: Team;
let pgCanary: string;
let myCanary: string;
beforeAll(async () => {
  team = await createTeam();
  pgCanary = uniqueName('canary');
  myCanary = uniqueName('canary');
  await sqlOk(team.owner, team.connections.pgScratch, {
    statements: [{ sql: `create table ${pgCanary} (id int)` }, { sql: `insert into ${pgCanary} values (1)` }],
  });
  await sqlOk(team.owner, team.connections.myScratch, {
    statements: [{ sql: `create table ${myCanary} (id int)` }, { sql: `insert into ${myCanary} values (1)` }],
  });
}, 60_000);

const exportPath = (connectionId: string) => `/api/connections/${encodeURIComponent(connectionId)}/export`;

const postExport = (headers: Record<string, string>, connectionId: string, body: object) =>
  api(exportPath(connectionId), jsonInit('POST', body, headers));

const createTicket = (headers: Record<string, string>, connectionId: string, body: object) =>
  api(`${exportPath(connectionId)}/tickets`, jsonInit('POST', body, headers));

async function ticketFor(user: TestUser, connectionId: string, body: object): Promise<string> {
  const res = await createTicket(user.cookieHeaders, connectionId, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json<{ ticket: string }>()).ticket;
}

const download = (headers: Record<string, string>, connectionId: string, ticket: string, format = 'csv') =>
  api(`${exportPath(connectionId)}?${new URLSearchParams({ ticket, format })}`, { headers });

/** NDJSON is text, but workerd warns when `.text()` reads a type it does not know as text. */
const textOf = async (res: Response) => new TextDecoder().decode(await res.arrayBuffer());

const codeOf = async (res: Response) => (await res.json<ErrorBody>()).error.code;

/** The canary's rows and whether a table exists: what an escape would change. */
async function pgState(table?: string) {
  const res = await sqlOk(team.owner, team.connections.pgScratch, {
    sql: `select (select string_agg(id::text, ',' order by id) from ${pgCanary}),
                 to_regclass($1) is not null`,
    params: [table ?? 'public.no_such_table'],
  });
  return res.results[0]?.rows[0];
}
async function myState(table?: string) {
  const res = await sqlOk(team.owner, team.connections.myScratch, {
    sql: `select (select group_concat(id order by id) from ${myCanary}),
                 (select count(*) from information_schema.tables where table_schema = 'atrium_test' and table_name = ?)`,
    params: [table ?? 'no_such_table'],
  });
  return res.results[0]?.rows[0];
}

describe('a GET never runs caller-supplied SQL', () => {
  it('refuses ?sql= with 400 sql_requires_post, for a signed-in browser and a token alike', async () => {
    const victim = team.owner;
    for (const headers of [
      victim.cookieHeaders,
      { Cookie: victim.cookieHeaders.Cookie! },
      victim.bearerHeaders,
    ]) {
      for (const query of <Record<string, string>[]>[
        { sql: `insert into ${pgCanary} values (2)` },
        { sql: `delete from ${pgCanary}`, format: 'csv' },
        { schema: 'public', table: pgCanary, sql: `drop table ${pgCanary}` },
        { ticket: 'x', params: '[1]' },
      ]) {
        const res = await api(`${exportPath(team.connections.pgScratch)}?${new URLSearchParams(query)}`, {
          headers,
        });
        expect(res.status).toBe(400);
        expect(await codeOf(res)).toBe('sql_requires_post');
      }
    }
    expect(await pgState()).toEqual(['1', false]);
  });

  it('refuses a cross-site POST that carries the session cookie', async () => {
    const res = await postExport(
      { Cookie: team.owner.cookieHeaders.Cookie!, Origin: 'https://evil.example' },
      team.connections.pgScratch,
      { sql: `select * from ${pgCanary}` },
    );
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('csrf_rejected');
    const ticket = await createTicket(
      { Cookie: team.owner.cookieHeaders.Cookie!, 'sec-fetch-site': 'cross-site' },
      team.connections.pgScratch,
      { sql: `select * from ${pgCanary}` },
    );
    expect(ticket.status).toBe(403);
  });
});

describe('an export runs exactly one read-only statement', () => {
  const pgRefusals: [string, number, string][] = [
    ['select 1; commit; create table {t} (x int)', 400, 'single_statement_required'],
    ['select 1;\n/* c */ COMMIT;\ncreate table {t} (x int)', 400, 'single_statement_required'],
    ['commit', 403, 'read_only_violation'],
    ['  /* x */ ROLLBACK', 403, 'read_only_violation'],
    ["COPY (select 1) TO PROGRAM 'true'", 403, 'read_only_violation'],
    ["select pg_read_file('/etc/hostname')", 403, 'read_only_violation'],
    ['-- nothing but a comment', 400, 'empty_query'],
  ];

  it('refuses scripts, transaction control and server-side effects on Postgres (POST and ticket)', async () => {
    for (const [template, status, code] of pgRefusals) {
      const table = uniqueName('escaped');
      const sql = template.replace('{t}', table);
      for (const user of [team.viewer, team.owner]) {
        const res = await postExport(user.bearerHeaders, team.connections.pgScratch, { sql });
        expect([sql, res.status]).toEqual([sql, status]);
        expect(await codeOf(res)).toBe(code);
        const ticket = await createTicket(user.cookieHeaders, team.connections.pgScratch, { sql });
        expect([sql, ticket.status]).toEqual([sql, status]);
      }
      expect(await pgState(table)).toEqual(['1', false]);
    }
  }, 60_000);

  it('leaves the data alone when a write is exported', async () => {
    for (const sql of [
      `insert into ${pgCanary} values (2) returning id`,
      `with d as (delete from ${pgCanary} returning id) select * from d`,
      `update ${pgCanary} set id = 3 returning id`,
    ]) {
      const res = await postExport(team.owner.bearerHeaders, team.connections.pgScratch, { sql });
      expect(res.status, sql).toBeGreaterThanOrEqual(400);
      await res.body?.cancel();
    }
    expect(await pgState()).toEqual(['1', false]);
  }, 30_000);

  it('refuses the same on MariaDB', async () => {
    const table = uniqueName('escaped');
    for (const [sql, status, code] of [
      [`select 1; commit; create table ${table} (x int)`, 400, 'single_statement_required'],
      ['set autocommit = 1', 403, 'read_only_violation'],
      [`create table ${table} (x int)`, 403, 'read_only_violation'],
      ["select 1 into outfile '/tmp/atrium-export-escape'", 403, 'read_only_violation'],
    ] as const) {
      const res = await postExport(team.owner.bearerHeaders, team.connections.myScratch, { sql });
      expect([sql, res.status]).toEqual([sql, status]);
      expect(await codeOf(res)).toBe(code);
    }
    const write = await postExport(team.owner.bearerHeaders, team.connections.myScratch, {
      sql: `delete from ${myCanary}`,
    });
    expect(write.status).toBeGreaterThanOrEqual(400);
    await write.body?.cancel();
    expect(await myState(table)).toEqual(['1', 0]);
  }, 30_000);
});

describe('export tickets', () => {
  const sql = 'select g from generate_series(1, 3) g';

  it('download once with the session cookie, in the format asked, under the given name', async () => {
    const ticket = await ticketFor(team.viewer, team.connections.pagila, { sql, filename: 'three rows' });
    const res = await download(team.viewer.cookieHeaders, team.connections.pagila, ticket, 'ndjson');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="three_rows.ndjson"');
    expect(await textOf(res)).toBe('{"g":1}\n{"g":2}\n{"g":3}\n');

    const again = await download(team.viewer.cookieHeaders, team.connections.pagila, ticket);
    expect(again.status).toBe(404);
    expect(await codeOf(again)).toBe('export_ticket_invalid');
  });

  it('are consumed exactly once when used concurrently', async () => {
    const ticket = await ticketFor(team.viewer, team.connections.pagila, { sql });
    const answers = await Promise.all(
      [1, 2, 3].map(() => download(team.viewer.bearerHeaders, team.connections.pagila, ticket)),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 404, 404]);
    await Promise.all(answers.map((r) => r.body?.cancel()));
  });

  it('expire', async () => {
    const ticket = await ticketFor(team.viewer, team.connections.pagila, { sql });
    // Sixty seconds pass (moved in D1 rather than waited for).
    await env.DB.prepare('update export_ticket set expires_at = ? where user_id = ?')
      .bind(Date.now() - 1, team.viewer.userId)
      .run();
    const res = await download(team.viewer.cookieHeaders, team.connections.pagila, ticket);
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe('export_ticket_invalid');
  });

  it('work only for their user, organization and connection, and a wrong try does not burn them', async () => {
    const member = await addMember({ orgId: team.orgId, owner: team.owner }, 'viewer');
    const ticket = await ticketFor(member, team.connections.pagila, { sql });
    const stranger = await createUser();
    for (const headers of [stranger.cookieHeaders, team.viewer.cookieHeaders, team.owner.bearerHeaders]) {
      const res = await download(headers, team.connections.pagila, ticket);
      expect(res.status).toBe(404);
    }
    // The same user, on another connection of the same org.
    expect((await download(member.cookieHeaders, team.connections.pgScratch, ticket)).status).toBe(404);
    // The same user, with the session switched to another org of theirs.
    const created = await api('/api/orgs', jsonInit('POST', { name: 'elsewhere' }, member.cookieHeaders));
    const { id: otherOrg } = await created.json<{ id: string }>();
    const activate = (orgId: string) =>
      api(`/api/orgs/${orgId}/activate`, jsonInit('POST', {}, member.cookieHeaders));
    expect((await activate(otherOrg)).status).toBe(200);
    expect((await download(member.cookieHeaders, team.connections.pagila, ticket)).status).toBe(404);
    expect((await activate(team.orgId)).status).toBe(200);

    const mine = await download(member.cookieHeaders, team.connections.pagila, ticket);
    expect(mine.status).toBe(200);
    expect(await mine.text()).toBe('g\r\n1\r\n2\r\n3\r\n');
  }, 30_000);

  it('answer anonymous callers 401, and a ticket with other options 400', async () => {
    const ticket = await ticketFor(team.viewer, team.connections.pagila, { sql });
    const anonymous = await download({}, team.connections.pagila, ticket);
    expect(anonymous.status).toBe(401);
    const mixed = await api(
      `${exportPath(team.connections.pagila)}?${new URLSearchParams({ ticket, schema: 'public', table: 'actor' })}`,
      { headers: team.viewer.cookieHeaders },
    );
    expect(mixed.status).toBe(400);
  });
});

describe('CSV formula escaping', () => {
  const sql = `select '=1+1' as "=HYPERLINK(1)", '-5' as minus_text, -5 as minus_int, (-1.5)::numeric as minus_numeric,
                      '@SUM(A1)' as at, E'\\tx' as tab, E'\\rx' as cr, '+cmd|x' as plus,
                      E'=x\\ny' as multiline, 'plain' as plain, '-1+2' as not_a_number, 'a=b' as inner_equals`;
  const raw = [
    '=1+1',
    '-5',
    '-5',
    '-1.5',
    '@SUM(A1)',
    '\tx',
    '\rx',
    '+cmd|x',
    '=x\ny',
    'plain',
    '-1+2',
    'a=b',
  ];

  const parse = (text: string) => Papa.parse<string[]>(text.trim(), { newline: '\r\n' }).data;

  it('escapes formula-like text cells by default: a leading quote, and the field quoted', async () => {
    const res = await postExport(team.viewer.bearerHeaders, team.connections.pagila, { sql });
    expect(res.status).toBe(200);
    const text = await res.text();
    const [header, row] = text.split('\r\n');
    expect(header!.startsWith('"\'=HYPERLINK(1)",minus_text,')).toBe(true);
    const prefix = `"'=1+1",-5,-5,-1.5,"'@SUM(A1)","'\tx",`;
    expect(row?.startsWith(prefix), row).toBe(true);
    expect(parse(text)[1]).toEqual([
      "'=1+1",
      '-5',
      '-5',
      '-1.5',
      "'@SUM(A1)",
      "'\tx",
      "'\rx",
      "'+cmd|x",
      "'=x\ny",
      'plain',
      "'-1+2",
      'a=b',
    ]);
  });

  it('writes raw values with escapeFormulas: false (POST, ticket and table export)', async () => {
    const res = await postExport(team.viewer.bearerHeaders, team.connections.pagila, {
      sql,
      escapeFormulas: false,
    });
    const rows = parse(await res.text());
    expect(rows[0]?.[0]).toBe('=HYPERLINK(1)');
    expect(rows[1]).toEqual(raw);

    const ticket = await ticketFor(team.viewer, team.connections.pagila, { sql, escapeFormulas: false });
    const viaTicket = await download(team.viewer.cookieHeaders, team.connections.pagila, ticket);
    expect(parse(await viaTicket.text())[1]).toEqual(raw);
  });

  it('applies to table exports too, and never to NDJSON', async () => {
    const table = uniqueName('formulas');
    await sqlOk(team.owner, team.connections.pgScratch, {
      statements: [
        { sql: `create table ${table} (id int primary key, note text)` },
        { sql: `insert into ${table} values (1, '=cmd()'), (-2, '-3')` },
      ],
    });
    const url = (extra: Record<string, string>) =>
      `${exportPath(team.connections.pgScratch)}?${new URLSearchParams({ schema: 'public', table, ...extra })}`;
    const headers = { headers: team.viewer.bearerHeaders };
    expect(await (await api(url({}), headers)).text()).toBe(`id,note\r\n-2,-3\r\n1,"'=cmd()"\r\n`);
    expect(await (await api(url({ escapeFormulas: 'false' }), headers)).text()).toBe(
      'id,note\r\n-2,-3\r\n1,=cmd()\r\n',
    );
    expect(await textOf(await api(url({ format: 'ndjson' }), headers))).toBe(
      '{"id":-2,"note":"-3"}\n{"id":1,"note":"=cmd()"}\n',
    );
  });
});
