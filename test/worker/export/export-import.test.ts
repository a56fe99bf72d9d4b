import { beforeAll, describe, expect, it } from 'vitest';
import { api, jsonInit, type TestUser } from '../../support/auth.ts';
import { uniqueName } from '../../support/fixtures.ts';
import { createTeam, type ErrorBody, sqlOk, type Team } from '../../support/team.ts';

let team: Team;
beforeAll(async () => {
  team = await createTeam();
}, 60_000);

const exportUrl = (connectionId: string, params: Record<string, string>) =>
  `/api/connections/${connectionId}/export?${new URLSearchParams(params)}`;

/** A query export: SQL only ever travels in a POST body. */
const exportQuery = (user: TestUser, connectionId: string, body: object) =>
  api(`/api/connections/${connectionId}/export`, jsonInit('POST', body, user.bearerHeaders));

/** Reads a streamed body line by line without ever holding more than one chunk and a partial line. */
async function forEachLine(res: Response, onLine: (line: string) => void): Promise<number> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  let bytes = 0;
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    rest += decoder.decode(value, { stream: true });
    const lines = rest.split('\r\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  }
  rest += decoder.decode();
  if (rest) onLine(rest);
  return bytes;
}

describe('streaming export', () => {
  it('streams 1,000,000 generated rows as CSV; row count and checksum match the source', async () => {
    const source = 'select g as id, md5(g::text) as h from generate_series(1, 1000000) g';
    const expected = await sqlOk(team.viewer, team.connections.pagila, {
      sql: `select count(*)::int, sum(g)::text, sum(('x' || lpad(substr(md5(g::text), 1, 8), 16, '0'))::bit(64)::bigint)::text
            from generate_series(1, 1000000) g`,
    });
    const [count, idSum, hashSum] = expected.results[0]!.rows[0] as [number, string, string];

    const res = await exportQuery(team.viewer, team.connections.pagila, { format: 'csv', sql: source });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    let header: string | null = null;
    let rows = 0;
    let ids = 0n;
    let hashes = 0n;
    await forEachLine(res, (line) => {
      if (header === null) {
        header = line;
        return;
      }
      const [id, h] = line.split(',');
      rows++;
      ids += BigInt(id!);
      hashes += BigInt(`0x${h!.slice(0, 8)}`);
    });
    expect(header).toBe('id,h');
    expect(rows).toBe(count);
    expect(ids.toString()).toBe(idSum);
    expect(hashes.toString()).toBe(hashSum);
  }, 600_000);

  it('exports a whole table as NDJSON and JSON', async () => {
    const nd = await api(
      exportUrl(team.connections.sakila, { format: 'ndjson', schema: 'sakila', table: 'film' }),
      {
        headers: team.viewer.bearerHeaders,
      },
    );
    expect(nd.status).toBe(200);
    const lines = new TextDecoder()
      .decode(await nd.arrayBuffer())
      .trim()
      .split('\n');
    expect(lines).toHaveLength(1000);
    expect(JSON.parse(lines[0]!)).toMatchObject({ film_id: 1, title: 'ACADEMY DINOSAUR' });
    const json = await api(
      exportUrl(team.connections.pagila, { format: 'json', schema: 'public', table: 'actor' }),
      {
        headers: team.viewer.bearerHeaders,
      },
    );
    const actors = await json.json<{ actor_id: number }[]>();
    expect(actors).toHaveLength(200);
    expect(actors.map((a) => a.actor_id)).toEqual([...Array(200).keys()].map((i) => i + 1));
  });

  it('aborts the response when the database fails mid-stream (never a clean, truncated file)', async () => {
    const res = await exportQuery(team.viewer, team.connections.pagila, {
      format: 'csv',
      sql: 'select g, 1 / (g - 7000) as boom from generate_series(1, 20000) g',
    });
    expect(res.status).toBe(200);
    let lines = 0;
    await expect(forEachLine(res, () => lines++)).rejects.toThrow();
    expect(lines).toBeLessThan(7000);
  });

  it('answers a failing query with a JSON error before streaming starts', async () => {
    const res = await exportQuery(team.viewer, team.connections.pagila, { sql: 'select * from nowhere' });
    expect(res.status).toBe(400);
    expect((await res.json<ErrorBody>()).error.details?.dbCode).toBe('42P01');
  });
});

describe('CSV import', () => {
  const tricky = [
    [1, 'plain', 10],
    [2, 'comma, inside', 20],
    [3, 'a "quoted" word', 30],
    [4, 'two\nlines\r\nand CRLF', 40],
    [5, 'unicode: é 日本語 🙂 ‮rtl', 50],
    [6, "it's; -- not SQL", null],
  ] as const;

  it('round-trips quotes, newlines and unicode: export → import gives the same rows', async () => {
    const source = uniqueName('src');
    const target = uniqueName('dst');
    await sqlOk(team.editor, team.connections.pgScratch, {
      statements: [
        { sql: `create table ${source} (id int primary key, note text, n int)` },
        { sql: `create table ${target} (id int primary key, note text, n int)` },
        {
          sql: `insert into ${source} values ${tricky.map((_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`).join(', ')}`,
          params: tricky.flat(),
        },
      ],
    });
    // Raw values (no formula escaping): the file is for re-import, not a spreadsheet.
    const exported = await api(
      exportUrl(team.connections.pgScratch, {
        format: 'csv',
        schema: 'public',
        table: source,
        escapeFormulas: 'false',
      }),
      { headers: team.viewer.bearerHeaders },
    );
    const csv = await exported.text();
    const imported = await api(
      `/api/connections/${team.connections.pgScratch}/tables/public/${target}/import`,
      {
        method: 'POST',
        headers: { ...team.editor.bearerHeaders, 'content-type': 'text/csv' },
        body: csv,
      },
    );
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({ inserted: tricky.length, failed: 0, errors: [] });
    const rows = await sqlOk(team.viewer, team.connections.pgScratch, {
      sql: `select * from ${target} order by id`,
    });
    expect(rows.results[0]?.rows).toEqual(tricky.map((r) => [...r]));
  });

  it('reports bad rows and keeps the good ones, across batches and chunk boundaries', async () => {
    const table = uniqueName('imp');
    await sqlOk(team.editor, team.connections.myScratch, {
      sql: `create table ${table} (id int primary key, note varchar(20), n int not null)`,
    });
    const lines = ['id,note,n'];
    for (let i = 1; i <= 1200; i++) {
      if (i === 7) lines.push(`${i},"too long: ${'x'.repeat(40)}",1`);
      else if (i === 800) lines.push(`${i},"dup key",1\r\n1,"dup of 1",1`);
      else if (i === 1100) lines.push(`${i},"missing field"`);
      else lines.push(`${i},"row ""${i}""\nline 2",${i}`);
    }
    // A stream of small chunks, so records and quoted fields straddle chunk boundaries.
    const bytes = new TextEncoder().encode(lines.join('\r\n'));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 37) controller.enqueue(bytes.slice(i, i + 37));
        controller.close();
      },
    });
    const res = await api(
      `/api/connections/${team.connections.myScratch}/tables/atrium_test/${table}/import`,
      {
        method: 'POST',
        headers: { ...team.editor.bearerHeaders, 'content-type': 'text/csv' },
        body,
        duplex: 'half',
      } as RequestInit,
    );
    expect(res.status).toBe(200);
    const result = await res.json<{
      inserted: number;
      failed: number;
      errors: { row: number; code: string }[];
    }>();
    expect(result.inserted).toBe(1198); // 1,201 records (line 800 holds two), 3 refused
    expect(result.failed).toBe(3);
    expect(result.errors.map((e) => e.row).sort((a, b) => a - b)).toEqual([7, 801, 1101]);
    expect(result.errors.find((e) => e.row === 801)?.code).toBe('1062');
    const check = await sqlOk(team.viewer, team.connections.myScratch, {
      sql: `select count(*), max(note) from ${table} where id = 5`,
    });
    expect(check.results[0]?.rows[0]).toEqual([1, 'row "5"\nline 2']);
  }, 120_000);

  it('is for editors only', async () => {
    const res = await api(`/api/connections/${team.connections.pgScratch}/tables/public/x/import`, {
      method: 'POST',
      headers: { ...team.viewer.bearerHeaders, 'content-type': 'text/csv' },
      body: 'a\n1',
    });
    expect(res.status).toBe(403);
  });
});
