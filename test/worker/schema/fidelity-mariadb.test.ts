/**
 * MariaDB schema fidelity as a round trip: a fixture with every object kind MariaDB adds —
 * partitions of each method, sequences, system-versioned tables, invisible columns, prefix,
 * spatial, fulltext and descending indexes, case-twin tables, a routine, a trigger, an event —
 * is exported as DDL, replayed into an empty database, re-synced, and diffed against the source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaSnapshot, TableInfo } from '../../../worker/engines/schema-model.ts';
import { diffSnapshots, isEmptyDiff } from '../../../worker/schema/diff.ts';
import { createOrg, type TestUser } from '../../support/auth.ts';
import { connectionPath } from '../../support/fixtures.ts';
import { MARIADB_FIXTURE, MARIADB_READER } from './fidelity-fixtures.ts';
import { asSource, type RoundTrip, roundTrip } from './round-trip.ts';
import { getJson } from './support.ts';

let trip: RoundTrip;
let owner: TestUser;
beforeAll(async () => {
  ({ owner } = await createOrg());
  trip = await roundTrip(owner, 'mysql', MARIADB_FIXTURE, '&grants=true');
}, 60_000);
afterAll(async () => {
  await trip?.drop();
  // Dropping the login also drops the table grants MariaDB keeps after a DROP DATABASE.
  await trip?.inServer(`drop user if exists ${MARIADB_READER}`);
});

const table = (s: SchemaSnapshot, name: string): TableInfo => {
  const t = s.tables.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
};

describe('MariaDB fixture round trip', () => {
  it('the source snapshot holds every object kind of the fixture', () => {
    const { source } = trip;
    expect(table(source, 'sales').kind).toBe('partitioned_table');
    expect(table(source, 'sales').partitioning).toEqual({
      method: 'RANGE',
      expression: 'year(`sold`)',
      subMethod: null,
      subExpression: null,
      partitions: [
        { name: 'p2020', bound: '2021', subpartitions: [], comment: 'first year' },
        { name: 'p2021', bound: '2022', subpartitions: [], comment: null },
        { name: 'pmax', bound: 'MAXVALUE', subpartitions: [], comment: null },
      ],
    });
    expect(table(source, 'subp').partitioning?.partitions.map((p) => p.subpartitions)).toEqual([
      ['asp0', 'asp1'],
      ['bsp0', 'bsp1'],
    ]);
    expect(table(source, 'regions').partitioning?.method).toBe('LIST COLUMNS');
    expect(table(source, 'keyed').partitioning?.method).toBe('LINEAR KEY');
    expect(source.sequences?.map((s) => [s.name, s.start, s.increment, s.cache, s.cycle])).toEqual([
      ['seq_orders', '100', '5', '10', true],
      ['seq_plain', '1', '1', '1000', false],
    ]);
    expect(table(source, 'ledger').systemVersioned).toBe(true);
    expect(table(source, 'rotated').partitioning).toMatchObject({
      method: 'SYSTEM_TIME',
      systemTime: "INTERVAL 1 DAY STARTS TIMESTAMP'2030-01-01 00:00:00' AUTO",
      partitions: [
        { name: 'p0', bound: '2030-01-02 00:00:00', comment: 'oldest' },
        { name: 'p1', bound: '2030-01-03 00:00:00', comment: null },
        { name: 'pn', bound: 'CURRENT', comment: null },
      ],
    });
    expect(table(source, 'capped').partitioning?.systemTime).toBe('LIMIT 1000');
    expect(table(source, 'capped').partitioning?.partitions.map((p) => p.name)).toEqual(['p0', 'p1', 'pn']);
    expect(table(source, 'ledger').primaryKey?.columns).toEqual(['id']);
    const ledger2 = table(source, 'ledger2').columns.filter((c) => c.rowPeriod);
    expect(ledger2.map((c) => [c.name, c.rowPeriod, c.invisible, c.generated])).toEqual([
      ['rs', 'start', true, null],
      ['re', 'end', true, null],
    ]);
    expect(table(source, 'orders').columns.find((c) => c.name === 'note')?.invisible).toBe(true);
    const docs = Object.fromEntries(table(source, 'docs').indexes.map((i) => [i.name, i]));
    expect(docs.sp?.parts).toEqual([{ column: 'g', expression: null, descending: false }]);
    expect(docs.pre?.parts[0]?.expression).toBe('name(10)');
    expect(docs.ft?.method).toBe('FULLTEXT');
    expect(docs.kd?.parts[0]?.descending).toBe(true);
    expect(source.programs?.map((p) => [p.kind, p.name, p.signature, p.returns])).toEqual([
      ['event', 'nightly', 'EVERY 1 DAY', null],
      ['function', 'twice', 'x int(11)', 'int(11)'],
      ['trigger', 'orders_touch', 'BEFORE UPDATE ON orders', null],
    ]);
    expect(table(source, 'Twin').uniques).toEqual([{ name: 'u_v', columns: ['v'] }]);
    expect(table(source, 'twin').uniques).toEqual([]);
  });

  it('lists partitions, sequences, routines, triggers and events in groups of their own', async () => {
    const { items } = await getJson<{ items: { kind: string; name: string; detail: string | null }[] }>(
      owner,
      connectionPath(trip.sourceId, `/schema/objects?schema=${encodeURIComponent(trip.sourceDb)}`),
    );
    const of = (kind: string) => items.filter((o) => o.kind === kind).map((o) => `${o.name} ${o.detail}`);
    expect(of('partition')).toContain('p2020 of sales: 2021');
    expect(of('partition')).toContain('pmax of sales: MAXVALUE');
    expect(of('partition')).toContain('a of subp: 2000');
    // sales 3, regions 2, dated 2, hashed 3, keyed 2, subp 2 (subpartitions belong to theirs), rotated 3, capped 3.
    expect(of('partition')).toHaveLength(20);
    expect(of('sequence')).toEqual(['seq_orders bigint', 'seq_plain bigint']);
    expect(of('function')).toEqual(['twice x int(11)']);
    expect(of('trigger')).toEqual(['orders_touch BEFORE UPDATE ON orders']);
    expect(of('event')).toEqual(['nightly EVERY 1 DAY']);
    const hits = await getJson<{ items: { type: string; table: string | null; object: string | null }[] }>(
      owner,
      connectionPath(trip.sourceId, '/schema/search?q=p2020'),
    );
    expect(hits.items.map((h) => [h.type, h.table, h.object])).toEqual([['partition', 'sales', 'p2020']]);
  });

  it('exports DDL that names no source database and re-creates each kind', () => {
    const { ddl, sourceDb } = trip;
    expect(ddl).not.toContain(sourceDb);
    expect(ddl).toContain('DEFAULT nextval(`seq_orders`)');
    expect(ddl).toContain(
      'CREATE SEQUENCE `seq_orders` START WITH 100 MINVALUE 1 MAXVALUE 100000 INCREMENT BY 5 CACHE 10 CYCLE;',
    );
    expect(ddl).toContain('PARTITION BY RANGE (year(`sold`))');
    expect(ddl).toContain('SPATIAL KEY `sp` (`g`)');
    expect(ddl).toContain('PERIOD FOR SYSTEM_TIME (`rs`, `re`)');
    expect(ddl).toContain(
      "PARTITION BY SYSTEM_TIME INTERVAL 1 DAY STARTS TIMESTAMP'2030-01-01 00:00:00' AUTO\n(PARTITION `p0` HISTORY COMMENT = 'oldest',",
    );
    expect(ddl).toContain(
      'PARTITION BY SYSTEM_TIME LIMIT 1000\n(PARTITION `p0` HISTORY,\n PARTITION `p1` HISTORY,',
    );
  });

  it('re-creates the grants when asked for them', async () => {
    expect(trip.ddl).toContain(`GRANT SHOW VIEW ON * TO ${MARIADB_READER};;`);
    expect(trip.ddl).toContain(`GRANT INSERT, SELECT ON \`Twin\` TO ${MARIADB_READER};;`);
    const rows = await trip.inCopy([
      `select (select group_concat(privilege_type order by privilege_type) from information_schema.table_privileges
          where table_schema = database() and table_name = 'Twin'),
        (select group_concat(privilege_type) from information_schema.schema_privileges where table_schema = database())`,
    ]);
    expect(rows).toEqual([['INSERT,SELECT', 'SHOW VIEW']]);
  });

  it('re-creates a schema whose diff against the source is empty', () => {
    const diff = diffSnapshots(trip.source, asSource(trip));
    expect(diff).toMatchObject({ tablesAdded: [], tablesRemoved: [], tablesChanged: [], objectsChanged: [] });
    expect(isEmptyDiff(diff)).toBe(true);
    expect(asSource(trip).tables).toEqual(
      trip.source.tables.map((t) => ({ ...t, rowEstimate: table(trip.copy, t.name).rowEstimate })),
    );
  });
});
