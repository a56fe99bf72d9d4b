/**
 * The fast paths of `stream` for Atrium's own text: COPY on a TCP socket (postgres/pg-copy.ts) and
 * a cursor of whole-row text elsewhere (pg-record.ts). Both must give exactly the rows and columns
 * the plain cursor gives, for every kind of value, and COPY must never end short of the server's count.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../../worker/engines/engine.ts';
import { CopyOut, parseCopyText, unescapeCopyField } from '../../../../worker/engines/postgres/pg-copy.ts';
import { parseRecord } from '../../../../worker/engines/postgres/pg-record.ts';
import { pgParser } from '../../../../worker/engines/postgres/postgres-values.ts';
import { scratch, uniqueTable } from '../fixtures.ts';

const tcp = { ...scratch.postgres, transport: 'tcp', sslMode: 'disable' } as const;
const table = uniqueTable('copy_src');
const mood = uniqueTable('copy_mood');

async function collect(engine: Engine, sql: string, ownText: boolean) {
  let columns: unknown;
  const rows: unknown[][] = [];
  for await (const batch of engine.stream(sql, { batchSize: 7, ownText })) {
    columns ??= batch.columns;
    rows.push(...batch.rows);
  }
  return { columns, rows };
}

beforeAll(async () => {
  const engine = createEngine(tcp, env);
  await engine.script([
    { sql: `create type ${mood} as enum ('happy', 'so-so', 'a"b')` },
    {
      sql: `create table ${table} (
        id int primary key, "odd, name" text, big int8, n numeric, f float8, b bool, raw bytea,
        j json, jb jsonb, ints int4[], texts text[], at timestamptz, local timestamp, d date,
        t time, span interval, u uuid, m ${mood}, ms ${mood}[])`,
    },
    {
      sql: `insert into ${table} values
        (1, E'tab\\there', 9007199254740993, 1.50, 1e20, true, '\\x00ff10', '{"a": [1, "x,y"]}',
         '{"b": null}', '{1,NULL,3}', '{"q\\"uote","back\\\\slash",NULL}', '2024-01-02 03:04:05.6+05:30',
         '2024-01-02 03:04:05', '2024-01-02', '03:04:05', '1 day 02:00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
         'a"b', '{happy,so-so}'),
        (2, E'line\\nbreak\\r\\nand \\\\ backslash', -5, -0.001, 'NaN', false, '', 'null', '[]', '{}', '{}',
         'infinity', '-infinity', '0001-01-01 BC', '24:00', '-1 mon', null, 'happy', '{}'),
        (3, '', null, null, '-Infinity', null, null, null, null, null, null, null, null, null, null, null,
         null, null, null),
        (4, E'=cmd, "quoted"\\u00e9 ✓ 😀 \\b\\f\\013', 0, 0, -0, true, '\\x5c4e', '"\\\\N"', '"\\\\N"',
         '{-1}', '{"\\\\N","",x}', '2024-06-30 23:59:59+00', '2024-06-30 23:59:59.999999', '2024-02-29',
         '00:00:00.5', '0', '00000000-0000-0000-0000-000000000000', 'so-so', '{NULL}'),
        (5, E'\\\\N', 1, 1, 1, true, null, null, null, null, '{"a\\tb"}', null, null, null, null, null, null,
         null, null)`,
    },
    // Enough rows for several COPY batches and cursor batches.
    {
      sql: `insert into ${table} (id, "odd, name", n, at)
            select g, md5(g::text), g * 1.5, now() - g * interval '1 second' from generate_series(10, 4000) g`,
    },
  ]);
  await engine.close();
});

afterAll(async () => {
  const engine = createEngine(tcp, env);
  await engine.script([{ sql: `drop table if exists ${table}` }, { sql: `drop type if exists ${mood}` }]);
  await engine.close();
});

describe('COPY streaming', () => {
  it('gives the rows and columns the cursor gives, for every kind of value, and is used only for own text', async () => {
    const submit = vi.spyOn(CopyOut.prototype, 'submit');
    const sql = `select * from ${table} as "t" order by "id"`;
    const engine = createEngine(tcp, env);
    try {
      const viaCopy = await collect(engine, sql, true);
      expect(submit).toHaveBeenCalledTimes(1);
      const viaCursor = await collect(engine, sql, false);
      expect(submit).toHaveBeenCalledTimes(1);
      expect(viaCopy.rows).toHaveLength(4 + 3991 + 1);
      expect(viaCopy.columns).toEqual(viaCursor.columns);
      expect(viaCopy.rows).toEqual(viaCursor.rows);
      expect(viaCopy.rows[0]?.[18]).toEqual(['happy', 'so-so']);
    } finally {
      submit.mockRestore();
      await engine.close();
    }
  });

  it('over Neon (no pause), reads whole-row text that gives the rows and columns the cursor gives', async () => {
    const submit = vi.spyOn(CopyOut.prototype, 'submit');
    const sql = `select * from ${table} as "t" order by "id"`;
    const engine = createEngine(scratch.postgres, env);
    try {
      const viaRecord = await collect(engine, sql, true);
      const viaCursor = await collect(engine, sql, false);
      expect(submit).not.toHaveBeenCalled();
      expect(viaRecord.rows).toHaveLength(4 + 3991 + 1);
      expect(viaRecord.columns).toEqual(viaCursor.columns);
      expect(viaRecord.rows).toEqual(viaCursor.rows);
    } finally {
      submit.mockRestore();
      await engine.close();
    }
  });

  it('gives the columns of an empty result in one empty batch', async () => {
    const engine = createEngine(tcp, env);
    try {
      const { columns, rows } = await collect(engine, `select id, big from ${table} where false`, true);
      expect(columns).toEqual([
        { name: 'id', type: 'int4' },
        { name: 'big', type: 'int8' },
      ]);
      expect(rows).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('fails, after the rows it read, when the server fails midway', async () => {
    const engine = createEngine(tcp, env);
    const sql = `select 10 / (30000 - g) from generate_series(1, 40000) g`;
    let read = 0;
    try {
      await expect(
        (async () => {
          for await (const batch of engine.stream(sql, { ownText: true })) read += batch.rows.length;
        })(),
      ).rejects.toMatchObject({ code: expect.any(String) });
      expect(read).toBeLessThan(30000);
    } finally {
      await engine.close();
    }
  });
});

describe('whole-row text', () => {
  const parsers = [pgParser(23), pgParser(25), pgParser(25)];

  it('reads NULL, quoted, doubled and escaped values', () => {
    expect(parseRecord('(1,,"")', parsers)).toEqual([1, null, '']);
    expect(parseRecord('(2,"a ""b"", c","x\\\\y (z)")', parsers)).toEqual([2, 'a "b", c', 'x\\y (z)']);
    expect(parseRecord('(,plain,")")', parsers)).toEqual([null, 'plain', ')']);
    expect(parseRecord('()', [])).toEqual([]);
  });

  it('refuses a row with more or fewer values than columns', () => {
    expect(() => parseRecord('(1,a)', parsers)).toThrow(/did not match/);
    expect(() => parseRecord('(1,a,b,c)', parsers)).toThrow(/did not match/);
    expect(() => parseRecord('(1,a,"b)', parsers)).toThrow(/did not match/);
    expect(() => parseRecord('(1)', [])).toThrow(/did not match/);
  });
});

describe('COPY text', () => {
  it('unescapes what COPY TO writes', () => {
    expect(unescapeCopyField('a\\tb\\nc\\rd\\\\e\\bf\\fg\\vh')).toBe('a\tb\nc\rd\\e\bf\fg\vh');
    expect(unescapeCopyField('\\101\\x41\\q')).toBe('AAq');
    expect(unescapeCopyField('plain')).toBe('plain');
  });

  it('splits rows and fields, with \\N as NULL and a literal \\\\N as text', () => {
    const parsers = [pgParser(23), pgParser(25)];
    expect(parseCopyText('1\t\\N\n2\t\\\\N\n3\t\n', parsers)).toEqual([
      [1, null],
      [2, '\\N'],
      [3, ''],
    ]);
    expect(() => parseCopyText('1\t2\t3\n', parsers)).toThrow(/number of columns/);
    expect(() => parseCopyText('1\n', parsers)).toThrow(/number of columns/);
  });

  it('refuses a result shorter than the server said', async () => {
    const copy = new CopyOut('select 1', 1 << 20);
    copy.handleRowDescription({ fields: [] });
    copy.handleCopyData({ chunk: new TextEncoder().encode('\n') });
    copy.handleCommandComplete({ text: 'COPY 2' });
    copy.handleReadyForQuery();
    await expect(copy.next()).rejects.toThrow(/ended before/);
  });
});
