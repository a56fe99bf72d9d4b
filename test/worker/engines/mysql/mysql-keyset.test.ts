/**
 * Whole-table exports over planetscale-http page by key (mysql/mysql-keyset.ts). Each table here
 * is read over HTTP in pages of 1, 2 and 3 rows and must equal the same SELECT read over TCP as
 * one statement (the server's own ORDER BY): composite keys, case and accent twins under a
 * case-insensitive collation, trailing spaces, binary bytes, latin1, dates, decimals, the largest
 * BIGINT UNSIGNED, a NOT NULL unique key without a primary key, and names that need quoting.
 * Tables without such a key fall back to offset pages and still export every row.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../../worker/engines/engine.ts';
import { type Exec, ownTable, tableKey } from '../../../../worker/engines/mysql/mysql-keyset.ts';
import { ownTableSelect, scratch, uniqueTable } from '../fixtures.ts';

const SCHEMA = 'atrium_test';
const http = createEngine(scratch.mysql, env);
const tcp = createEngine({ ...scratch.mysql, transport: 'tcp' }, env);

interface Table {
  name: string;
  create: (t: string) => string;
  insert: (t: string) => string;
  /** The key the export should page on; empty for offset pages. */
  key: string[];
  /** Order of the reference read over TCP (the key, or every column when there is none). */
  order: string[];
}

const tables: Table[] = [
  {
    name: uniqueTable('ks_ci'),
    create: (t) =>
      `create table ${t} (name varchar(20) collate utf8mb4_general_ci not null, n int not null, note text,
       primary key (name, n))`,
    // Under general_ci 'a' = 'A' = 'á' = 'a ', so these tie on `name` and sort by `n` alone.
    insert: (t) => `insert into ${t} values ('a', 4, '1'), ('A', 2, '2'), ('á', 3, '3'), ('a ', 1, '4'),
      ('b', 1, '5'), ('B', 2, '6'), ('', 1, '7'), ('Z', 0, '8'), ('z', 1, '9'), ('😀', 1, '10'), ('ß', 1, '11')`,
    key: ['name', 'n'],
    order: ['name', 'n'],
  },
  {
    name: uniqueTable('ks_bin'),
    create: (t) => `create table ${t} (k varbinary(8) primary key, v int)`,
    insert: (t) =>
      `insert into ${t} values (x'', 1), (x'00', 2), (x'0000', 3), (x'ff', 4), (x'41', 5), (x'61', 6), (x'4100', 7)`,
    key: ['k'],
    order: ['k'],
  },
  {
    name: uniqueTable('ks_types'),
    create: (t) =>
      `create table ${t} (d datetime(6) not null, amount decimal(12,3) not null, big bigint unsigned not null,
       l varchar(10) character set latin1 collate latin1_swedish_ci not null, primary key (d, amount, big, l))`,
    insert: (t) => `insert into ${t} values
      ('2024-01-01 00:00:00.000001', 1.5, 18446744073709551615, 'é'),
      ('2024-01-01 00:00:00.000001', 1.5, 18446744073709551614, 'É'),
      ('2024-01-01 00:00:00.000001', 1.5, 18446744073709551615, 'f'),
      ('2024-01-01 00:00:00', -2.25, 0, 'x'),
      ('1999-12-31 23:59:59.999999', 0, 7, 'y'),
      ('2024-01-01 00:00:00.000001', 1.499, 1, 'a')`,
    key: ['d', 'amount', 'big', 'l'],
    order: ['d', 'amount', 'big', 'l'],
  },
  {
    name: uniqueTable('ks_uniq'),
    // No primary key: the NOT NULL unique key (binary, NO PAD: `a` and `a ` differ) is the key, not the nullable one.
    create: (t) =>
      `create table ${t} (\`we\`\`ird\` varchar(10) collate utf8mb4_nopad_bin not null, other int,
       unique key nullable_one (other), unique key (\`we\`\`ird\`))`,
    insert: (t) =>
      `insert into ${t} values ('a', null), ('A', null), ('b', 1), ('B', 2), ('a ', 3), ('á', 4)`,
    key: ['we`ird'],
    order: ['we`ird'],
  },
  {
    name: uniqueTable('ks_none'),
    // Only a nullable unique key: no key to seek on, so offset pages.
    create: (t) => `create table ${t} (v int, w text, unique key (v))`,
    insert: (t) => `insert into ${t} values (1, 'a'), (null, 'b'), (null, 'c'), (2, 'd'), (3, 'e')`,
    key: [],
    order: ['v', 'w'],
  },
];

const q = (name: string) => `\`${name.replaceAll('`', '``')}\``;

beforeAll(async () => {
  for (const t of tables) {
    await tcp.query(t.create(`${SCHEMA}.${t.name}`));
    await tcp.query(t.insert(`${SCHEMA}.${t.name}`));
  }
});

afterAll(async () => {
  for (const t of tables) await tcp.query(`drop table if exists ${SCHEMA}.${t.name}`);
  await Promise.all([http.close(), tcp.close()]);
});

async function read(engine: Engine, sql: string, batchSize: number, ownText: boolean) {
  const rows: unknown[][] = [];
  let columns: string[] = [];
  for await (const batch of engine.stream(sql, { batchSize, ownText })) {
    expect(batch.rows.length).toBeLessThanOrEqual(batchSize);
    if (batch.columns.length > 0) columns = batch.columns.map((c) => c.name);
    rows.push(...batch.rows);
  }
  return { columns, rows };
}

describe.each(tables)('$name', (t) => {
  it('finds the key keyset paging seeks on (none without a NOT NULL unique key)', async () => {
    const text = ownTableSelect('mysql', SCHEMA, t.name, t.key);
    expect(ownTable(text)).toEqual({ schema: SCHEMA, table: t.name });
    const exec: Exec = async (sql, params) => {
      const r = await http.query(sql, { params, readOnly: true });
      return { fields: r.columns, rows: r.rows, rowsAffected: 0 };
    };
    const key = await tableKey(exec, SCHEMA, t.name);
    expect(key?.map((c) => c.name) ?? []).toEqual(t.key);
  });

  it('exports over HTTP, page by page, exactly what one statement over TCP reads', async () => {
    const reference = await read(tcp, ownTableSelect('mysql', SCHEMA, t.name, t.order), 1000, false);
    const count = await tcp.query(`select count(*) from ${SCHEMA}.${q(t.name)}`);
    expect(reference.rows).toHaveLength(Number(count.rows[0]![0]));
    // The export route's text: ordered by the primary key (none for a unique-key-only table).
    const own = ownTableSelect('mysql', SCHEMA, t.name, t.name.startsWith('ks_uniq') ? [] : t.key);
    for (const batchSize of [1, 2, 3]) {
      const got = await read(http, own, batchSize, true);
      expect(got.columns).toEqual(reference.columns);
      if (t.key.length > 0) expect(got.rows, `batch ${batchSize}`).toEqual(reference.rows);
      else expect(sorted(got.rows), `batch ${batchSize}`).toEqual(sorted(reference.rows));
    }
  });
});

it('never reads a caller query as a table, even one shaped like the own SELECT', () => {
  expect(ownTable('select * from `a`.`b` as `t`; drop table x')).toBeNull();
  expect(ownTable('select * from `a`.`b` as `t` where 1')).toBeNull();
  expect(ownTable('select id from `a`.`b` as `t`')).toBeNull();
});

const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
