/**
 * Type round trips through each real driver into the scratch databases: values go in as
 * parameters and come back in the JSON-safe shapes promised by worker/engines/engine.ts.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import { scratch, uniqueTable } from './fixtures.ts';

const bytes = { $binary: btoa(String.fromCharCode(0, 1, 2, 254, 255)) };
const unicode = 'héllo 世界 🎉 ıİ';
const json = { a: [1, 2, { b: null }], s: 'ü', big: 12345678901234 };

describe.each(['neon-http', 'tcp'] as const)('postgres types over %s', (transport) => {
  it('round-trips int8 beyond 2^53, numeric, timestamptz, date, json/jsonb, bytea, arrays, NULL, unicode', async () => {
    const engine = createEngine({ ...scratch.postgres, transport }, env);
    const t = uniqueTable('types');
    await engine.query(
      `create table ${t} (big int8, small int8, num numeric(40,10), ts timestamptz, plain timestamp, d date,
        j jsonb, js json, b bytea, ints int[], texts text[], n text, u text, flag boolean, f float8)`,
    );
    await engine.query(`insert into ${t} values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`, {
      params: [
        '9007199254740993',
        42,
        '123456789012345678901234567890.0123456789',
        '2024-02-29T12:34:56.789+05:30',
        '2024-02-29 12:34:56.5',
        '2024-02-29',
        json,
        // A JS array is a PostgreSQL array; a JSON array goes as its text.
        '[1, "two"]',
        bytes,
        [1, 2, 3],
        ['a', 'b c', '"q"', null],
        null,
        unicode,
        true,
        1.5,
      ],
    });
    const r = await engine.query(`select * from ${t}`);
    const row = Object.fromEntries(r.columns.map((c, i) => [c.name, r.rows[0]![i]]));
    expect(row).toMatchObject({
      big: '9007199254740993',
      small: 42,
      num: '123456789012345678901234567890.0123456789',
      plain: '2024-02-29T12:34:56.5',
      d: '2024-02-29',
      j: json,
      js: [1, 'two'],
      b: bytes,
      ints: [1, 2, 3],
      texts: ['a', 'b c', '"q"', null],
      n: null,
      u: unicode,
      flag: true,
      f: 1.5,
    });
    expect(row.ts).toMatch(/^2024-02-29T\d\d:\d\d:56\.789[+-]\d\d:\d\d$/);
    expect(Date.parse(row.ts as string)).toBe(Date.parse('2024-02-29T12:34:56.789+05:30'));
    expect(r.columns.map((c) => c.type)).toEqual([
      'int8',
      'int8',
      'numeric',
      'timestamptz',
      'timestamp',
      'date',
      'jsonb',
      'json',
      'bytea',
      '_int4',
      '_text',
      'text',
      'text',
      'bool',
      'float8',
    ]);
    await engine.query(`drop table ${t}`);
  });
});

describe.each(['planetscale-http', 'tcp'] as const)('mysql types over %s', (transport) => {
  it('round-trips BIGINT beyond 2^53, DECIMAL, DATETIME, DATE, JSON, BLOB, NULL, unicode', async () => {
    const engine = createEngine({ ...scratch.mysql, transport }, env);
    const t = uniqueTable('types');
    await engine.query(
      `create table ${t} (big bigint, ubig bigint unsigned, small int, num decimal(40,10), ts datetime(3),
        d date, j json, b blob, n varchar(10), u varchar(100) character set utf8mb4, f double)`,
    );
    await engine.query(`insert into ${t} values (?,?,?,?,?,?,?,?,?,?,?)`, {
      params: [
        '9007199254740993',
        '18446744073709551615',
        42,
        '123456789012345678901234567890.0123456789',
        '2024-02-29 12:34:56.789',
        '2024-02-29',
        json,
        bytes,
        null,
        unicode,
        1.5,
      ],
    });
    const r = await engine.query(`select * from ${t}`);
    const row = Object.fromEntries(r.columns.map((c, i) => [c.name, r.rows[0]![i]]));
    expect(row).toEqual({
      big: '9007199254740993',
      ubig: '18446744073709551615',
      small: 42,
      num: '123456789012345678901234567890.0123456789',
      ts: '2024-02-29T12:34:56.789',
      d: '2024-02-29',
      j: json,
      b: bytes,
      n: null,
      u: unicode,
      f: 1.5,
    });
    await engine.query(`drop table ${t}`);
  });
});

describe('sqlite types', () => {
  it('round-trips integers, reals, text, JSON text, BLOB, NULL, unicode (D1 keeps 2^53 precision only)', async () => {
    const engine = createEngine(scratch.sqlite, env);
    const t = uniqueTable('types');
    await engine.query(`create table ${t} (i integer, r real, s text, j text, b blob, n text)`);
    const write = await engine.query(`insert into ${t} values (?,?,?,?,?,?)`, {
      params: [9007199254740991, 1.5, unicode, json, bytes, null],
    });
    expect(write.affectedRows).toBe(1);
    const r = await engine.query(`select i, r, s, json_extract(j, '$.s') as js, b, n from ${t}`);
    expect(r.rows).toEqual([[9007199254740991, 1.5, unicode, 'ü', bytes, null]]);
    await engine.query(`drop table ${t}`);
  });
});
