/**
 * The quirks real SQLite schemas carry, through every SQLite transport (a D1 binding, D1's REST
 * API and libSQL to the local stand-ins): WITHOUT ROWID, STRICT, generated columns, triggers,
 * partial and expression indexes, FTS5 with its shadow tables, views built on views, composite
 * and missing primary keys, hostile names. Introspection says what each is; the DDL export
 * recreates them (replayed into an empty database and introspected again).
 */
import { env } from 'cloudflare:workers';
import { splitQuery } from 'dbgate-query-splitter';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type EngineConfig } from '../../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../../worker/engines/engine.ts';
import type { TableInfo } from '../../../../worker/engines/schema-model.ts';
import { sqliteDialect } from '../../../../worker/engines/sqlite/sqlite-dialect.ts';
import { toDdl } from '../../../../worker/schema/ddl.ts';
import { chinook, d1HttpDb, libsqlDb, uniqueTable } from '../fixtures.ts';

const engines: Engine[] = [];
const open = (config: EngineConfig) => {
  const engine = createEngine(config, env);
  engines.push(engine);
  return engine;
};
afterAll(async () => {
  for (const e of engines) await e.close();
});

/** Every quirk, each object's name starting with `p`; `weird` is the hostile-name table. */
function quirkSchema(p: string, weird: string): string[] {
  return [
    `create table "${p}_strict" (id integer primary key, n int not null, t text) strict`,
    `create table "${p}_norowid" (a text, b int, note text, primary key (a, b)) without rowid`,
    `create table "${p}_gen" (a int, b int generated always as (a * 2) virtual, c int generated always as (a + 1) stored)`,
    `create table "${p}_nopk" (x blob, y real)`,
    `create index "${p}_partial" on "${p}_gen" (a) where a > 0`,
    `create index "${p}_expr" on "${p}_gen" (abs(a), c desc)`,
    `create trigger "${p}_trg" after insert on "${p}_nopk" begin update "${p}_nopk" set y = y + 1 where rowid = new.rowid; end`,
    `create virtual table "${p}_docs" using fts5(title, body)`,
    `create view "${p}_v1" as select a, c from "${p}_gen"`,
    // Named to sort before the view it reads, so only dependency order puts it after.
    `create view "${p}_v0" as select a from "${p}_v1" where c > 1`,
    `create table [${weird}] (\`back tick\` int, "dq ""x""" text, [ünï 🎉] blob, primary key (\`back tick\`, "dq ""x"""))`,
    `insert into "${p}_nopk" values (x'00ff', 9e999)`,
  ];
}

describe.each([
  // D1 hands results over as JSON, binding and REST API alike, where an infinity becomes null;
  // Hrana's JSON has no infinity either, and the libSQL client refuses the null it gets.
  { transport: 'd1-binding', config: chinook, replay: null, infinity: null },
  { transport: 'd1-http', config: d1HttpDb('scratch'), replay: d1HttpDb('replay'), infinity: null },
  { transport: 'libsql-http', config: libsqlDb('scratch'), replay: libsqlDb('replay'), infinity: 'error' },
] as const)('$transport', ({ config, replay, infinity }) => {
  const p = uniqueTable('q');
  const weird = `${p} bracket.dot/slash 'q' ünï 🎉`;
  const mine = (tables: TableInfo[]) => tables.filter((t) => t.name.startsWith(p));
  let tables: TableInfo[] = [];
  const table = (suffix: string) => {
    const t = tables.find((x) => x.name === `${p}${suffix}`);
    if (!t) throw new Error(`no ${p}${suffix}`);
    return t;
  };

  it('introspects each quirk as what it is', async () => {
    const engine = open(config);
    for (const sql of quirkSchema(p, weird)) await engine.query(sql);
    tables = mine((await engine.introspect()).tables);

    expect(table('_strict').sqlite).toEqual({ strict: true });
    expect(table('_norowid').sqlite).toEqual({ withoutRowid: true });
    expect(table('_norowid').primaryKey?.columns).toEqual(['a', 'b']);
    expect(table('_nopk').primaryKey).toBeNull();
    expect(table('_gen').columns.map((c) => c.generated?.kind ?? null)).toEqual([null, 'virtual', 'stored']);
    expect(table('_gen').columns[1]?.generated?.expression).toBe('a * 2');
    const partial = table('_gen').indexes.find((i) => i.name === `${p}_partial`);
    expect(partial?.predicate).toBe('a > 0');
    const expr = table('_gen').indexes.find((i) => i.name === `${p}_expr`);
    expect(expr?.parts).toEqual([
      { column: null, expression: 'abs(a)', descending: false },
      { column: 'c', expression: null, descending: true },
    ]);

    const docs = table('_docs');
    expect(docs.sqlite?.virtual?.module).toBe('fts5');
    expect(docs.columns.map((c) => c.name)).toEqual(['title', 'body']);
    const shadows = tables
      .filter((t) => t.sqlite?.shadowOf === `${p}_docs`)
      .map((t) => t.name.slice(p.length));
    expect(shadows.sort()).toEqual([
      '_docs_config',
      '_docs_content',
      '_docs_data',
      '_docs_docsize',
      '_docs_idx',
    ]);

    expect(table('_v0').dependsOn?.relations.map((r) => r.name)).toEqual([`${p}_v1`]);
    const hostile = tables.find((t) => t.name === weird);
    expect(hostile?.columns.map((c) => c.name)).toEqual(['back tick', 'dq "x"', 'ünï 🎉']);
    expect(hostile?.primaryKey?.columns).toEqual(['back tick', 'dq "x"']);

    // The value is stored; only how each wire carries an infinity differs (see `infinity`).
    const { rows } = await engine.query(`select x, cast(y as text) from "${p}_nopk"`);
    expect(rows).toEqual([[{ $binary: 'AP8=' }, 'Inf']]);
    const raw = engine.query(`select y from "${p}_nopk"`);
    if (infinity === 'error') await expect(raw).rejects.toMatchObject({ code: 'upstream_error' });
    else expect((await raw).rows).toEqual([[infinity]]);
  });

  it('exports DDL that skips shadow tables, keeps table options and orders views', async () => {
    const engine = open(config);
    const ddl = toDdl(
      { engine: 'sqlite', serverVersion: null, namespaces: [], tables, enums: [], queryCount: 0 },
      await engine.schemaObjects(),
    );
    expect(ddl).toContain(`CREATE VIRTUAL TABLE "${p}_docs" using fts5(title, body);`);
    expect(ddl).not.toMatch(new RegExp(`CREATE TABLE "${p}_docs_`));
    expect(ddl).toMatch(/\) STRICT;/);
    expect(ddl).toMatch(/\) WITHOUT ROWID;/);
    expect(ddl.indexOf(`CREATE VIEW "${p}_v1"`)).toBeLessThan(ddl.indexOf(`CREATE VIEW "${p}_v0"`));
    if (!replay) return;
    // Replayed into an empty database, the same objects come back as the same kinds.
    const target = open(replay);
    for (const sql of splitQuery(ddl, sqliteDialect.splitterOptions).map(String)) {
      if (sql.includes(p)) await target.query(sql);
    }
    const again = mine((await target.introspect()).tables);
    const shape = (ts: TableInfo[]) =>
      ts
        .map((t) => ({ name: t.name, kind: t.kind, sqlite: t.sqlite ?? null, columns: t.columns.length }))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(shape(again)).toEqual(shape(tables));
    const objects = await target.schemaObjects();
    expect(objects.objects.map((o) => o.name)).toContain(`${p}_trg`);
  });
});
