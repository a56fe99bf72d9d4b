import { beforeAll, describe, expect, it } from 'vitest';
import type { SchemaSnapshot, TableInfo } from '../../../worker/engines/schema-model.ts';
import { createOrg, type TestUser } from '../../support/auth.ts';
import { CHINOOK_ID, connectionPath, PAGILA, SAKILA } from '../../support/fixtures.ts';
import { saveConnection } from '../../support/team.ts';
import { getJson, sync } from './support.ts';

interface ColumnBody {
  name: string;
  dataType: string;
  normalizedType: string;
  nullable: boolean;
  default: string | null;
  identity: string | null;
  onUpdate: string | null;
  isPrimaryKey: boolean;
  isForeignKey: boolean;
}
interface DetailBody {
  table: Omit<TableInfo, 'columns'> & { columns: ColumnBody[] };
  referencedBy: { schema: string; table: string; columns: string[] }[];
}

let owner: TestUser;
const ids = { pagila: '', sakila: '' };

async function exported(connectionId: string): Promise<SchemaSnapshot> {
  return getJson<SchemaSnapshot>(owner, connectionPath(connectionId, '/schema/export?format=json'));
}

const count = (s: SchemaSnapshot, kinds: string[], schema?: string) =>
  s.tables.filter((t) => kinds.includes(t.kind) && (schema === undefined || t.schema === schema));
const sum = (tables: TableInfo[], pick: (t: TableInfo) => unknown[]) =>
  tables.reduce((n, t) => n + pick(t).length, 0);

beforeAll(async () => {
  ({ owner } = await createOrg());
  ids.pagila = await saveConnection(owner, 'Pagila', PAGILA);
  ids.sakila = await saveConnection(owner, 'Sakila', SAKILA);
});

describe('Pagila (PostgreSQL)', () => {
  let snap: SchemaSnapshot;
  beforeAll(async () => {
    const result = await sync(owner, ids.pagila);
    expect(result.queryCount).toBe(10);
    snap = await exported(ids.pagila);
  });

  it('has the catalogue figures of the datasets README', () => {
    const base = count(snap, ['table', 'partitioned_table'], 'public');
    const views = count(snap, ['view'], 'public');
    expect(base).toHaveLength(22);
    expect(count(snap, ['partitioned_table'], 'public').map((t) => t.name)).toEqual(['payment']);
    expect(base.filter((t) => t.partitionOf)).toHaveLength(7);
    expect(views).toHaveLength(7);
    expect(count(snap, ['materialized_view'], 'public').map((t) => t.name)).toEqual(['rental_by_category']);
    expect(sum([...base, ...views], (t) => t.columns)).toBe(171);
    expect(sum(base, (t) => t.foreignKeys)).toBe(36);
    expect(base.filter((t) => t.primaryKey)).toHaveLength(22);
    expect(snap.enums).toEqual([
      { schema: 'public', name: 'mpaa_rating', values: ['G', 'PG', 'PG-13', 'R', 'NC-17'] },
    ]);
  });

  it('describes film with types, defaults, keys and references', async () => {
    const { table, referencedBy } = await getJson<DetailBody>(
      owner,
      connectionPath(ids.pagila, '/schema/tables/public/film'),
    );
    const col = (name: string) => table.columns.find((c) => c.name === name)!;
    expect(col('film_id')).toMatchObject({
      dataType: 'integer',
      nullable: false,
      default: "nextval('film_film_id_seq'::regclass)",
      isPrimaryKey: true,
    });
    expect(col('rental_rate')).toMatchObject({
      dataType: 'numeric(4,2)',
      normalizedType: 'decimal',
      default: '4.99',
    });
    expect(col('rating')).toMatchObject({ dataType: 'mpaa_rating', normalizedType: 'enum', nullable: true });
    expect(col('special_features')).toMatchObject({ dataType: 'text[]', normalizedType: 'array' });
    expect(col('last_update')).toMatchObject({
      normalizedType: 'timestamptz',
      default: 'now()',
      nullable: false,
    });
    expect(col('language_id')).toMatchObject({ isForeignKey: true, isPrimaryKey: false });
    expect(table.foreignKeys.map((f) => [f.columns, f.refTable, f.onUpdate, f.onDelete])).toEqual([
      [['language_id'], 'language', 'CASCADE', 'RESTRICT'],
      [['original_language_id'], 'language', 'CASCADE', 'RESTRICT'],
    ]);
    expect(referencedBy.map((r) => r.table).sort()).toEqual(['film_actor', 'film_category', 'inventory']);
    expect(table.indexes.find((i) => i.name === 'film_fulltext_idx')).toMatchObject({ method: 'gist' });
  });

  it('keeps the view column that needs quoting and the partition bounds', () => {
    const customerList = snap.tables.find((t) => t.name === 'customer_list')!;
    expect(customerList.columns.map((c) => c.name)).toContain('zip code');
    const p1 = snap.tables.find((t) => t.name === 'payment_p2022_01')!;
    expect(p1.partitionOf).toMatchObject({ schema: 'public', name: 'payment' });
    expect(p1.partitionOf?.bound).toMatch(/^FOR VALUES FROM/);
    expect(snap.tables.find((t) => t.name === 'payment')?.definition).toBe('RANGE (payment_date)');
  });
});

describe('Sakila (MariaDB)', () => {
  let snap: SchemaSnapshot;
  beforeAll(async () => {
    await sync(owner, ids.sakila);
    snap = await exported(ids.sakila);
  });

  it('has the catalogue figures of the datasets README', () => {
    const tables = count(snap, ['table']);
    const views = count(snap, ['view']);
    expect(tables).toHaveLength(16);
    expect(views).toHaveLength(7);
    expect(sum([...tables, ...views], (t) => t.columns)).toBe(131);
    expect(sum(tables, (t) => t.columns)).toBe(89);
    expect(sum(tables, (t) => t.foreignKeys)).toBe(22);
    expect(tables.filter((t) => t.primaryKey)).toHaveLength(16);
    expect(sum(tables, (t) => t.uniques)).toBe(2);
    expect(sum(tables, (t) => t.indexes)).toBe(41);
    expect(tables.find((t) => t.name === 'address')?.columns).toHaveLength(8);
  });

  it('describes film and staff columns as MariaDB declares them', async () => {
    const film = await getJson<DetailBody>(owner, connectionPath(ids.sakila, '/schema/tables/sakila/film'));
    const col = (name: string) => film.table.columns.find((c) => c.name === name)!;
    expect(col('film_id')).toMatchObject({
      dataType: 'smallint(5) unsigned',
      identity: 'auto_increment',
      isPrimaryKey: true,
      nullable: false,
    });
    expect(col('rating')).toMatchObject({
      dataType: "enum('G','PG','PG-13','R','NC-17')",
      default: "'G'",
      nullable: true,
    });
    expect(col('special_features')).toMatchObject({ normalizedType: 'set', default: null });
    expect(col('rental_rate')).toMatchObject({ dataType: 'decimal(4,2)', default: '4.99' });
    expect(col('last_update')).toMatchObject({
      default: 'current_timestamp()',
      onUpdate: 'current_timestamp()',
      nullable: false,
    });
    const staff = await getJson<DetailBody>(owner, connectionPath(ids.sakila, '/schema/tables/sakila/staff'));
    expect(staff.table.columns.find((c) => c.name === 'picture')).toMatchObject({
      normalizedType: 'binary',
      nullable: true,
    });
    expect(staff.table.rowEstimate).not.toBeNull();
    const fullText = snap.tables
      .find((t) => t.name === 'film_text')
      ?.indexes.find((i) => i.method === 'FULLTEXT');
    expect(fullText?.parts.map((p) => p.column)).toEqual(['title', 'description']);
  });
});

describe('Chinook (D1)', () => {
  let snap: SchemaSnapshot;
  beforeAll(async () => {
    await sync(owner, CHINOOK_ID);
    snap = await exported(CHINOOK_ID);
  });

  it('has the catalogue figures of the datasets README', () => {
    expect(snap.tables.map((t) => t.name)).toEqual([
      'Album',
      'Artist',
      'Customer',
      'Employee',
      'Genre',
      'Invoice',
      'InvoiceLine',
      'MediaType',
      'Playlist',
      'PlaylistTrack',
      'Track',
    ]);
    expect(sum(snap.tables, (t) => t.columns)).toBe(64);
    expect(sum(snap.tables, (t) => t.foreignKeys)).toBe(11);
    expect(sum(snap.tables, (t) => t.indexes.filter((i) => i.definition !== null))).toBe(11);
    const employee = snap.tables.find((t) => t.name === 'Employee')!;
    expect(employee.foreignKeys).toEqual([
      expect.objectContaining({ columns: ['ReportsTo'], refTable: 'Employee', refColumns: ['EmployeeId'] }),
    ]);
    expect(snap.tables.find((t) => t.name === 'PlaylistTrack')?.primaryKey).toEqual({
      name: 'PK_PlaylistTrack',
      columns: ['PlaylistId', 'TrackId'],
    });
  });

  it('describes Track columns', async () => {
    const { table, referencedBy } = await getJson<DetailBody>(
      owner,
      connectionPath(CHINOOK_ID, '/schema/tables/main/Track'),
    );
    const col = (name: string) => table.columns.find((c) => c.name === name)!;
    expect(col('TrackId')).toMatchObject({ dataType: 'INTEGER', isPrimaryKey: true, nullable: false });
    expect(col('Name')).toMatchObject({ dataType: 'NVARCHAR(200)', normalizedType: 'text', nullable: false });
    expect(col('Composer')).toMatchObject({ nullable: true, default: null });
    expect(col('UnitPrice')).toMatchObject({ dataType: 'NUMERIC(10,2)', normalizedType: 'decimal' });
    expect(col('AlbumId')).toMatchObject({ isForeignKey: true, nullable: true });
    expect(referencedBy.map((r) => r.table).sort()).toEqual(['InvoiceLine', 'PlaylistTrack']);
  });
});
