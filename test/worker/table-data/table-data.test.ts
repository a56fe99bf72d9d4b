import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, jsonInit, type TestUser } from '../../support/auth.ts';
import { uniqueName } from '../../support/fixtures.ts';
import { createTeam, type ErrorBody, sqlOk, type Team } from '../../support/team.ts';

let team: Team;
beforeAll(async () => {
  team = await createTeam();
}, 60_000);

type Engine = 'postgres' | 'mysql';
const connOf = (engine: Engine) =>
  engine === 'postgres' ? team.connections.pgScratch : team.connections.myScratch;
const schemaOf = (engine: Engine) => (engine === 'postgres' ? 'public' : 'atrium_test');
/** Test-side quoting, only to create fixtures through the query endpoint. */
const q = (engine: Engine, name: string) =>
  engine === 'postgres' ? `"${name.replaceAll('"', '""')}"` : `\`${name.replaceAll('`', '``')}\``;

const rowsPath = (engine: Engine, table: string, schema = schemaOf(engine)) =>
  `/api/connections/${connOf(engine)}/tables/${encodeURIComponent(schema)}/${encodeURIComponent(table)}/rows`;

interface Page {
  columns: { name: string }[];
  rows: unknown[][];
  nextCursor: string | null;
  pagination: string;
}

async function page(user: TestUser, path: string, params: Record<string, string>): Promise<Response> {
  return api(`${path}?${new URLSearchParams(params)}`, { headers: user.bearerHeaders });
}

describe('keyset pagination', () => {
  it('returns every row of a 50,000-row table exactly once, by key and by a non-unique nullable column', async () => {
    const table = uniqueName('keyset');
    await sqlOk(team.editor, team.connections.pgScratch, {
      sql: `create table ${table} (id int primary key, grp int, label text);
            insert into ${table} select g, g % 7, case when g % 5 = 0 then null else 'n' || (g % 1000) end
            from generate_series(1, 50000) g`,
    });
    for (const [user, params] of [
      [team.viewer, {}],
      [team.editor, { sort: 'label', dir: 'desc' }],
    ] as const) {
      const seen = new Set<number>();
      let cursor: string | null = null;
      let previous: [string | null, number] | null = null;
      let pages = 0;
      do {
        const res = await page(user, rowsPath('postgres', table), {
          ...params,
          limit: '1000',
          ...(cursor ? { cursor } : {}),
        });
        expect(res.status).toBe(200);
        const body = await res.json<Page & { pagination: string }>();
        expect(body.pagination).toBe('keyset');
        for (const row of body.rows) {
          const id = row[0] as number;
          const label = row[2] as string | null;
          expect(seen.has(id)).toBe(false);
          seen.add(id);
          if (previous && 'sort' in params) {
            // desc: the NULLs first (ties by id descending), then labels descending.
            const [pl, pid] = previous;
            if (pl !== null && label !== null) expect(pl > label || (pl === label && pid > id)).toBe(true);
            if (pl !== null) expect(label).not.toBeNull();
            if (pl === null && label === null) expect(pid > id).toBe(true);
          }
          previous = [label, id];
        }
        cursor = body.nextCursor;
        pages++;
      } while (cursor);
      expect(seen.size).toBe(50_000);
      expect(pages).toBe(50);
    }
  }, 240_000);

  it('refuses a cursor from another sort', async () => {
    const first = await page(
      team.viewer,
      rowsPath('postgres', 'film', 'public').replace(team.connections.pgScratch, team.connections.pagila),
      {
        limit: '5',
      },
    );
    const { nextCursor } = await first.json<Page>();
    const res = await page(
      team.viewer,
      rowsPath('postgres', 'film', 'public').replace(team.connections.pgScratch, team.connections.pagila),
      {
        limit: '5',
        sort: 'title',
        cursor: nextCursor!,
      },
    );
    expect(res.status).toBe(400);
    expect((await res.json<ErrorBody>()).error.code).toBe('cursor_mismatch');
  });
});

describe('row edits', () => {
  for (const engine of ['postgres', 'mysql'] as const) {
    it(`${engine}: insert, update and delete by key, with 409 when the row changed underneath`, async () => {
      const table = uniqueName('edit');
      await sqlOk(team.editor, connOf(engine), {
        sql: `create table ${table} (id int primary key, name varchar(40), qty int)`,
      });
      const path = rowsPath(engine, table);
      const ins = await api(
        path,
        jsonInit('POST', { values: { id: 1, name: 'a', qty: 1 } }, team.editor.bearerHeaders),
      );
      expect(ins.status).toBe(200);
      expect((await ins.json<{ row: Record<string, unknown> }>()).row).toMatchObject({
        id: 1,
        name: 'a',
        qty: 1,
      });

      // Viewers cannot write.
      const denied = await api(path, jsonInit('POST', { values: { id: 2 } }, team.viewer.bearerHeaders));
      expect(denied.status).toBe(403);

      const original = { id: 1, name: 'a', qty: 1 };
      const upd = await api(
        path,
        jsonInit('PATCH', { key: { id: 1 }, original, values: { qty: 2 } }, team.editor.bearerHeaders),
      );
      expect(upd.status).toBe(200);
      expect((await upd.json<{ row: Record<string, unknown> }>()).row).toMatchObject({ qty: 2 });

      // Same original again: the row has qty 2 now, so this edit is stale.
      const stale = await api(
        path,
        jsonInit('PATCH', { key: { id: 1 }, original, values: { name: 'b' } }, team.editor.bearerHeaders),
      );
      expect(stale.status).toBe(409);
      expect((await stale.json<ErrorBody>()).error.code).toBe('row_changed');
      const staleDelete = await api(
        path,
        jsonInit('DELETE', { key: { id: 1 }, original }, team.editor.bearerHeaders),
      );
      expect(staleDelete.status).toBe(409);

      const del = await api(
        path,
        jsonInit('DELETE', { key: { id: 1 }, original: { ...original, qty: 2 } }, team.editor.bearerHeaders),
      );
      expect(del.status).toBe(200);
      const left = await sqlOk(team.viewer, connOf(engine), { sql: `select count(*) from ${table}` });
      expect(Number(left.results[0]?.rows[0]?.[0])).toBe(0);
    });
  }

  it('treats a table without a primary key as read-only', async () => {
    const table = uniqueName('nopk');
    await sqlOk(team.editor, team.connections.pgScratch, {
      sql: `create table ${table} (a int, b text); insert into ${table} values (1, 'x'), (2, 'y'), (3, 'z')`,
    });
    const path = rowsPath('postgres', table);
    const res = await api(
      path,
      jsonInit('PATCH', { key: { a: 1 }, values: { b: 'q' } }, team.editor.bearerHeaders),
    );
    expect(res.status).toBe(409);
    expect((await res.json<ErrorBody>()).error.code).toBe('read_only_table');
    // It still reads, paging by offset.
    const first = await page(team.viewer, path, { limit: '2' });
    const body = await first.json<Page>();
    expect(body.pagination).toBe('offset');
    const second = await (
      await page(team.viewer, path, { limit: '2', cursor: body.nextCursor! })
    ).json<Page>();
    expect([...body.rows, ...second.rows].map((r) => r[0])).toEqual([1, 2, 3]);
  });

  it('answers 404 for an unknown table and 400 for an unknown column', async () => {
    const missing = await page(team.viewer, rowsPath('postgres', 'no_such_table'), {});
    expect(missing.status).toBe(404);
    const badSort = await page(
      team.viewer,
      rowsPath('postgres', 'film', 'public').replace(team.connections.pgScratch, team.connections.pagila),
      {
        sort: 'nope"; drop table film; --',
      },
    );
    expect(badSort.status).toBe(400);
    expect((await badSort.json<ErrorBody>()).error.code).toBe('unknown_column');
  });
});

// ---------------------------------------------------------------- fuzz

const HOSTILE_TABLE = `Robert'); DROP TABLE canary;-- "x" %_\\ é日`;
const COLS = { key: 'k"e`y', text: `t.e x"t' --`, num: 'n;um/*', other: 'w%_\\ ü' } as const;

interface Fixture {
  engine: Engine;
  rows: Record<string, unknown>[];
}

async function createHostileTable(engine: Engine): Promise<Fixture> {
  const conn = connOf(engine);
  const collate = engine === 'mysql' ? ' collate utf8mb4_nopad_bin' : '';
  const text = `varchar(200)${collate}`;
  await sqlOk(team.editor, conn, {
    statements: [
      { sql: `drop table if exists ${q(engine, HOSTILE_TABLE)}` },
      { sql: 'create table if not exists canary (id int primary key)' },
      {
        sql: `create table ${q(engine, HOSTILE_TABLE)} (${q(engine, COLS.key)} int primary key, ${q(engine, COLS.text)} ${text}, ${q(engine, COLS.num)} int, ${q(engine, COLS.other)} ${text})`,
      },
    ],
  });
  // Rows go in through the row API, so inserts with hostile names are exercised too.
  const values = fc.sample(
    fc.record({
      text: fc.option(hostileString, { nil: null }),
      num: fc.option(fc.integer({ min: -50, max: 50 }), { nil: null }),
    }),
    { numRuns: 40, seed: 42 },
  );
  const rows = values.map((v, i) => ({
    [COLS.key]: i + 1,
    [COLS.text]: v.text,
    [COLS.num]: v.num,
    [COLS.other]: `${i % 3}%_`,
  }));
  // A few rows through the row API (inserts with hostile names), the rest in one parameterized statement.
  const viaApi = rows.slice(0, 5);
  for (const values of viaApi) {
    const res = await api(
      rowsPath(engine, HOSTILE_TABLE),
      jsonInit('POST', { values }, team.owner.bearerHeaders),
    );
    expect(res.status, await res.clone().text()).toBe(200);
  }
  const rest = rows.slice(5);
  const p = (i: number) => (engine === 'postgres' ? `$${i + 1}` : '?');
  await sqlOk(team.editor, conn, {
    sql: `insert into ${q(engine, HOSTILE_TABLE)} values ${rest.map((_, r) => `(${[0, 1, 2, 3].map((c) => p(r * 4 + c)).join(', ')})`).join(', ')}`,
    params: rest.flatMap((r) => [r[COLS.key], r[COLS.text], r[COLS.num], r[COLS.other]]),
  });
  return { engine, rows };
}

const hostileString = fc.string({
  unit: fc.constantFrom(...`ab'"\`;-–%_\\/*() .,\n\tééü日本🙂$`.split(''), '🙂'),
  maxLength: 12,
});

type Filter =
  | { column: string; op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte'; value: string | number }
  | { column: string; op: 'contains'; value: string }
  | { column: string; op: 'in'; values: (string | number)[] }
  | { column: string; op: 'is_null' | 'not_null' };

const textFilter: fc.Arbitrary<Filter> = fc.oneof(
  fc.record({
    column: fc.constant(COLS.text),
    op: fc.constantFrom('eq' as const, 'ne' as const),
    value: hostileString,
  }),
  fc.record({ column: fc.constant(COLS.text), op: fc.constant('contains' as const), value: hostileString }),
  fc.record({
    column: fc.constant(COLS.text),
    op: fc.constant('in' as const),
    values: fc.array(hostileString, { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    column: fc.constantFrom(COLS.text, COLS.num),
    op: fc.constantFrom('is_null' as const, 'not_null' as const),
  }),
);
const numFilter: fc.Arbitrary<Filter> = fc.oneof(
  fc.record({
    column: fc.constant(COLS.num),
    op: fc.constantFrom(
      'eq' as const,
      'ne' as const,
      'lt' as const,
      'lte' as const,
      'gt' as const,
      'gte' as const,
    ),
    value: fc.integer({ min: -60, max: 60 }),
  }),
  fc.record({
    column: fc.constant(COLS.num),
    op: fc.constant('in' as const),
    values: fc.array(fc.integer({ min: -60, max: 60 }), { minLength: 1, maxLength: 5 }),
  }),
);

function satisfies(row: Record<string, unknown>, f: Filter): boolean {
  const v = row[f.column];
  switch (f.op) {
    case 'is_null':
      return v === null;
    case 'not_null':
      return v !== null;
    case 'contains':
      return v !== null && String(v).includes(f.value);
    case 'in':
      return v !== null && f.values.some((x) => x === v);
    case 'eq':
      return v !== null && v === f.value;
    case 'ne':
      return v !== null && v !== f.value;
    case 'lt':
      return v !== null && (v as number) < (f.value as number);
    case 'lte':
      return v !== null && (v as number) <= (f.value as number);
    case 'gt':
      return v !== null && (v as number) > (f.value as number);
    case 'gte':
      return v !== null && (v as number) >= (f.value as number);
  }
}

describe('table data fuzz (hostile names and values)', () => {
  for (const engine of ['postgres', 'mysql'] as const) {
    it(`${engine}: no injection, no 5xx, and every returned row satisfies the filters`, async () => {
      const fixture = await createHostileTable(engine);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(textFilter, numFilter), { minLength: 1, maxLength: 3 }),
          fc.constantFrom(COLS.key, COLS.text, COLS.num, COLS.other),
          fc.constantFrom('asc', 'desc'),
          async (filters, sort, dir) => {
            const res = await page(team.viewer, rowsPath(engine, HOSTILE_TABLE), {
              filters: JSON.stringify(filters),
              sort,
              dir,
              limit: '1000',
            });
            expect(res.status).toBeLessThan(500);
            expect(res.status, await res.clone().text()).toBe(200);
            const body = await res.json<Page>();
            const returned = body.rows.map((r) =>
              Object.fromEntries(body.columns.map((c, i) => [c.name, r[i]])),
            );
            for (const row of returned)
              for (const f of filters) expect(satisfies(row, f), JSON.stringify({ row, f })).toBe(true);
            // And nothing that satisfies them was left out.
            const expected = fixture.rows.filter((row) => filters.every((f) => satisfies(row, f)));
            expect(returned.map((r) => r[COLS.key]).sort()).toEqual(expected.map((r) => r[COLS.key]).sort());
          },
        ),
        { numRuns: engine === 'postgres' ? 40 : 25, seed: engine === 'postgres' ? 1 : 2 },
      );
      // Unknown (hostile) column names are refused before any SQL is built.
      await fc.assert(
        fc.asyncProperty(
          hostileString.filter((s) => !Object.values(COLS).includes(s as never)),
          async (column) => {
            const res = await page(team.viewer, rowsPath(engine, HOSTILE_TABLE), {
              filters: JSON.stringify([{ column, op: 'eq', value: 1 }]),
            });
            expect(res.status).toBe(400);
          },
        ),
        { numRuns: 10 },
      );
      const check = await sqlOk(team.viewer, connOf(engine), {
        sql: `select count(*) from ${q(engine, HOSTILE_TABLE)}`,
      });
      expect(Number(check.results[0]?.rows[0]?.[0])).toBe(fixture.rows.length);
      expect(
        (await sqlOk(team.viewer, connOf(engine), { sql: 'select count(*) from canary' })).results,
      ).toHaveLength(1);
    }, 240_000);
  }
});
