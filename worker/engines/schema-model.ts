/**
 * What Atrium knows about a database's structure, the same shape for every engine. Each engine's
 * introspector (`Engine.introspect()`) fills it with a small constant number of catalog queries;
 * the schema store, diff, DDL and the web app read it. web/ imports these types.
 */
import type { EngineName } from './dialect.ts';

export type RelationKind = 'table' | 'partitioned_table' | 'view' | 'materialized_view' | 'foreign_table';

/** Engine-neutral type families, so the UI and exports need not parse every dialect's names. */
export type NormalizedType =
  | 'integer'
  | 'bigint'
  | 'decimal'
  | 'float'
  | 'boolean'
  | 'text'
  | 'uuid'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'json'
  | 'binary'
  | 'enum'
  | 'set'
  | 'array'
  | 'geometry'
  | 'network'
  | 'other';

export type ReferentialAction = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT';

export interface ColumnInfo {
  name: string;
  /** 1-based ordinal as the engine numbers it (gaps remain where columns were dropped). */
  position: number;
  /** The type as declared, with length/precision (`character varying(45)`, `enum('G','PG')`). */
  dataType: string;
  normalizedType: NormalizedType;
  nullable: boolean;
  /** The default as an SQL expression (`nextval('actor_actor_id_seq'::regclass)`, `'G'`), or null. */
  default: string | null;
  /** A generated column's expression and storage. */
  generated: { kind: 'stored' | 'virtual'; expression: string } | null;
  identity: 'always' | 'by_default' | 'auto_increment' | null;
  /** MySQL's `ON UPDATE CURRENT_TIMESTAMP` clause (`current_timestamp()`); null elsewhere. */
  onUpdate: string | null;
  comment: string | null;
  /** MariaDB/MySQL `INVISIBLE`: left out of `SELECT *`; absent when false. */
  invisible?: true;
  /** A system-versioned table's period column (`GENERATED ALWAYS AS ROW START`); absent otherwise. */
  rowPeriod?: 'start' | 'end';
}

export interface KeyInfo {
  /** Null where the engine does not name it (SQLite). */
  name: string | null;
  columns: string[];
}

export interface ForeignKeyInfo extends KeyInfo {
  refSchema: string;
  refTable: string;
  refColumns: string[];
  onUpdate: ReferentialAction;
  onDelete: ReferentialAction;
}

export interface CheckInfo {
  name: string | null;
  expression: string;
}

export interface IndexPart {
  /** The column, or null for an expression part. */
  column: string | null;
  expression: string | null;
  descending: boolean;
}

export interface IndexInfo {
  name: string;
  unique: boolean;
  primary: boolean;
  /** Access method (`btree`, `gin`, `FULLTEXT`...). */
  method: string | null;
  parts: IndexPart[];
  /** A partial index's WHERE condition. */
  predicate: string | null;
  /** The engine's own CREATE INDEX text when it keeps one. */
  definition: string | null;
}

export interface TableInfo {
  schema: string;
  name: string;
  kind: RelationKind;
  comment: string | null;
  /** The planner's estimate (pg_class.reltuples, information_schema.tables.table_rows); never a count(*). */
  rowEstimate: number | null;
  /** For a partition: its parent and bound. */
  partitionOf: { schema: string; name: string; bound: string | null } | null;
  /** A view's or materialized view's query; a partitioned table's partition key (`RANGE (payment_date)`). */
  definition: string | null;
  columns: ColumnInfo[];
  primaryKey: KeyInfo | null;
  foreignKeys: ForeignKeyInfo[];
  uniques: KeyInfo[];
  checks: CheckInfo[];
  indexes: IndexInfo[];
  /**
   * A view's or materialized view's dependencies (Postgres, from pg_depend): the relations
   * it reads, so DDL can create views in order, and the non-built-in functions it calls,
   * which a schema export cannot re-create. Absent for tables, other engines and old snapshots.
   */
  dependsOn?: { relations: QualifiedName[]; functions: string[] };
  /**
   * MySQL/MariaDB partitioning, declared on the table itself (a Postgres partition is a table
   * of its own with `partitionOf`). Absent when the table is not partitioned.
   */
  partitioning?: PartitioningInfo;
  /** MariaDB `WITH SYSTEM VERSIONING`; absent when false. */
  systemVersioned?: true;
  /** SQLite: table options, a virtual table's module, a shadow table's owner; absent when none applies. */
  sqlite?: SqliteTableInfo;
}

/** What SQLite keeps about a table beyond its columns (worker/engines/sqlite/sqlite-quirks.ts). */
export interface SqliteTableInfo {
  withoutRowid?: true;
  strict?: true;
  /** `CREATE VIRTUAL TABLE … USING module(…)`: the module (`fts5`) and the statement, as stored. */
  virtual?: { module: string; definition: string };
  /** A virtual table's shadow table (`docs_data` of fts5 `docs`): the virtual table's name. */
  shadowOf?: string;
}

export interface PartitioningInfo {
  /** `RANGE`, `LIST COLUMNS`, `HASH`, `LINEAR KEY`… as the server names it. */
  method: string;
  /** The expression or column list as the server prints it (`year(\`sold\`)`); empty for `KEY ()`. */
  expression: string;
  subMethod: string | null;
  subExpression: string | null;
  /**
   * MariaDB `SYSTEM_TIME` only: what follows the method in SHOW CREATE TABLE (`INTERVAL 1 DAY
   * STARTS TIMESTAMP'2030-01-01 00:00:00' AUTO`, `LIMIT 1000`), which information_schema lacks.
   */
  systemTime?: string;
  /** In the server's order. */
  partitions: PartitionInfo[];
}

export interface PartitionInfo {
  name: string;
  /** `VALUES LESS THAN` / `VALUES IN` values as the server prints them (`2021`, `MAXVALUE`, `'a','b'`); null for HASH and KEY. */
  bound: string | null;
  subpartitions: string[];
  comment: string | null;
}

export interface QualifiedName {
  schema: string;
  name: string;
}

/** A Postgres or MariaDB sequence; bounds are text because int8 limits exceed a JS number. */
export interface SequenceInfo {
  schema: string;
  name: string;
  dataType: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  /** The column a `serial` (or `ALTER SEQUENCE ... OWNED BY`) ties it to; identity sequences are left out. */
  ownedBy: { schema: string; table: string; column: string } | null;
}

/** A Postgres domain: a base type with its own default, NOT NULL and CHECK constraints. */
export interface DomainInfo {
  schema: string;
  name: string;
  /** As format_type prints it (`integer`, `character varying(20)`). */
  baseType: string;
  default: string | null;
  notNull: boolean;
  checks: CheckInfo[];
}

/** The kinds of `ProgramInfo`, in the order a snapshot and the browser list them. */
export const PROGRAM_KINDS = ['function', 'procedure', 'aggregate', 'trigger', 'event'] as const;

/**
 * A routine, trigger or event as a snapshot keeps it: enough to list, search and diff it.
 * The DDL export reads each one's complete CREATE statement live (`Engine.schemaObjects`).
 */
export interface ProgramInfo {
  schema: string;
  name: string;
  kind: (typeof PROGRAM_KINDS)[number];
  /**
   * What tells it apart and places it: a routine's arguments (`x integer`; overloads share a
   * name), a trigger's timing, events and table (`BEFORE UPDATE ON orders`), an event's schedule.
   */
  signature: string;
  /** A function's result type; null otherwise. */
  returns: string | null;
  language: string | null;
  /** The source as the catalog keeps it (a routine's body, a trigger's definition); null when hidden. */
  body: string | null;
}

export interface EnumInfo {
  schema: string;
  name: string;
  values: string[];
}

export interface NamespaceInfo {
  /** A Postgres schema, a MySQL database, or SQLite's `main`. */
  name: string;
  comment: string | null;
}

export interface SchemaSnapshot {
  engine: EngineName;
  serverVersion: string | null;
  namespaces: NamespaceInfo[];
  /** Sorted by schema, then name. */
  tables: TableInfo[];
  enums: EnumInfo[];
  /**
   * Optional because snapshots stored before they were introspected load without them
   * (MariaDB gives sequences only when it has some; domains are Postgres only). Domains
   * are in creation (oid) order, so a domain over another domain follows it.
   */
  sequences?: SequenceInfo[];
  domains?: DomainInfo[];
  /** Routines, triggers and events, sorted by schema, kind, name, signature; absent from older snapshots. */
  programs?: ProgramInfo[];
  /** Catalog round trips this snapshot cost. */
  queryCount: number;
}

/**
 * One table's columns and primary key, read live from the catalog (`Engine.describeTable`) so
 * every name a request gives is checked before SQL is built from it (the data grid, imports).
 */
export interface LiveTable {
  schema: string;
  table: string;
  kind: 'table' | 'view';
  columns: LiveColumn[];
  /** Primary-key columns in key order; empty for views and tables without one. */
  primaryKey: string[];
}

export interface LiveColumn {
  name: string;
  /** The engine's type name (`int4`, `varchar(45)`, `mpaa_rating`, `TEXT`). */
  type: string;
  nullable: boolean;
}

/* ---------- helpers for building and ordering the model ---------- */

export const tableKey = (schema: string, name: string) => `${schema}\u0000${name}`;

export function sortTables(tables: TableInfo[]): TableInfo[] {
  return tables.sort((a, b) => cmp(a.schema, b.schema) || cmp(a.name, b.name));
}

/** Code-unit order, identical in JS and in SQLite's BINARY collation (used by cursors). */
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function emptyTable(schema: string, name: string, kind: RelationKind): TableInfo {
  return {
    schema,
    name,
    kind,
    comment: null,
    rowEstimate: null,
    partitionOf: null,
    definition: null,
    columns: [],
    primaryKey: null,
    foreignKeys: [],
    uniques: [],
    checks: [],
    indexes: [],
  };
}

export function referentialAction(v: unknown): ReferentialAction {
  const s = (v === null || v === undefined ? '' : String(v)).toUpperCase();
  switch (s) {
    case 'A':
    case 'NO ACTION':
      return 'NO ACTION';
    case 'R':
    case 'RESTRICT':
      return 'RESTRICT';
    case 'C':
    case 'CASCADE':
      return 'CASCADE';
    case 'N':
    case 'SET NULL':
      return 'SET NULL';
    case 'D':
    case 'SET DEFAULT':
      return 'SET DEFAULT';
    default:
      return 'NO ACTION';
  }
}

/*
 * Schema objects a snapshot does not store — extensions, composite and range types, routines,
 * triggers and events — read live (`Engine.schemaObjects`) when DDL is exported, as each engine's
 * own catalog prints them (`pg_get_functiondef`, `SHOW CREATE TRIGGER`…).
 */

export interface ExtensionInfo {
  name: string;
  /** The schema its objects live in. */
  schema: string;
  version: string;
}

/** A statement that creates one object, with where it belongs in a script. */
export interface ObjectDefinition {
  schema: string;
  name: string;
  kind:
    | 'type'
    | 'function'
    | 'procedure'
    | 'aggregate'
    | 'trigger'
    | 'event'
    /** `ALTER TABLE … ENABLE/FORCE ROW LEVEL SECURITY`. */
    | 'row_security'
    | 'policy'
    | 'rule'
    /** A GRANT; the export writes these only when asked. */
    | 'grant';
  /** The complete CREATE statement, without a trailing `;`; null when it cannot be exported. */
  definition: string | null;
  /** Why `definition` is null, for the comment the export leaves in its place. */
  reason?: string;
  /**
   * True when creating it needs the tables first: a routine whose signature names a
   * table's row type, or any trigger. Others go before the tables, so column defaults
   * and CHECK constraints may call them.
   */
  afterTables: boolean;
}

export interface SchemaObjects {
  extensions: ExtensionInfo[];
  /** Types, routines, triggers and events in an order that creates each after what it needs. */
  objects: ObjectDefinition[];
}
