/**
 * How a stored snapshot's rows read back: the select lists, the row shapes D1 returns
 * (booleans as 0/1, nested values as JSON text) and their mapping to the schema model.
 */

import type {
  ColumnInfo,
  DomainInfo,
  ForeignKeyInfo,
  IndexInfo,
  IndexPart,
  KeyInfo,
  ProgramInfo,
  ReferentialAction,
  RelationKind,
  SchemaSnapshot,
  SequenceInfo,
  TableInfo,
} from '../engines/schema-model.ts';
import { cmp } from '../engines/schema-model.ts';
import { sortPrograms } from '../engines/schema-programs.ts';

export interface NamespaceSummary {
  name: string;
  comment: string | null;
  tableCount: number;
  viewCount: number;
}

export interface TableSummary {
  schema: string;
  name: string;
  kind: RelationKind;
  comment: string | null;
  rowEstimate: number | null;
  columnCount: number;
  primaryKey: string[] | null;
  foreignKeyCount: number;
  indexCount: number;
  partitionOf: { schema: string; name: string } | null;
  /** SQLite: a virtual table's module, a shadow table's owner, table options (from the table's extras). */
  sqlite?: TableInfo['sqlite'];
}

export interface ColumnSummary extends ColumnInfo {
  isPrimaryKey: boolean;
  isForeignKey: boolean;
}

export const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

export interface TableRow {
  schema: string;
  name: string;
  kind: RelationKind;
  comment: string | null;
  rowEstimate: number | null;
  partitionOf: string | null;
  definition: string | null;
  columnCount: number;
  primaryKey: string | null;
  foreignKeyCount: number;
  indexCount: number;
  dependsOn: string | null;
}

export const TABLE_SELECT = `select schema_name as schema, name, kind, comment, row_estimate as rowEstimate,
  partition_of as partitionOf, definition, column_count as columnCount, primary_key as primaryKey,
  foreign_key_count as foreignKeyCount, index_count as indexCount, depends_on as dependsOn from schema_table`;

export const toSummary = (r: TableRow): TableSummary => {
  const parent = parse<{ schema: string; name: string } | null>(r.partitionOf);
  return {
    schema: r.schema,
    name: r.name,
    kind: r.kind,
    comment: r.comment,
    rowEstimate: r.rowEstimate,
    columnCount: r.columnCount,
    primaryKey: parse<KeyInfo | null>(r.primaryKey)?.columns ?? null,
    foreignKeyCount: r.foreignKeyCount,
    indexCount: r.indexCount,
    partitionOf: parent ? { schema: parent.schema, name: parent.name } : null,
  };
};

export interface ColumnRow {
  schema: string;
  table: string;
  position: number;
  name: string;
  dataType: string;
  normalizedType: ColumnInfo['normalizedType'];
  nullable: number;
  default: string | null;
  generated: string | null;
  identity: ColumnInfo['identity'];
  onUpdate: string | null;
  comment: string | null;
  isPrimaryKey: number;
  isForeignKey: number;
}

export const COLUMN_SELECT = `select schema_name as schema, table_name as "table", position, name, data_type as dataType,
  normalized_type as normalizedType, nullable, default_value as "default", generated, identity, on_update as onUpdate, comment,
  is_primary_key as isPrimaryKey, is_foreign_key as isForeignKey from schema_column`;

export const toColumn = (r: ColumnRow): ColumnSummary => ({
  name: r.name,
  position: r.position,
  dataType: r.dataType,
  normalizedType: r.normalizedType,
  nullable: r.nullable === 1,
  default: r.default,
  generated: parse<ColumnInfo['generated']>(r.generated),
  identity: r.identity,
  onUpdate: r.onUpdate,
  comment: r.comment,
  isPrimaryKey: r.isPrimaryKey === 1,
  isForeignKey: r.isForeignKey === 1,
});

export interface ConstraintRow {
  schema: string;
  table: string;
  type: 'p' | 'f' | 'u' | 'c';
  ordinal: number;
  name: string | null;
  columns: string | null;
  refSchema: string | null;
  refTable: string | null;
  refColumns: string | null;
  onUpdate: ReferentialAction | null;
  onDelete: ReferentialAction | null;
  expression: string | null;
}

export const CONSTRAINT_SELECT = `select schema_name as schema, table_name as "table", type, ordinal, name, columns,
  ref_schema as refSchema, ref_table as refTable, ref_columns as refColumns, on_update as onUpdate,
  on_delete as onDelete, expression from schema_constraint`;

export interface IndexRow {
  schema: string;
  table: string;
  name: string;
  unique: number;
  primary: number;
  method: string | null;
  parts: string;
  predicate: string | null;
  definition: string | null;
}

export const INDEX_SELECT = `select schema_name as schema, table_name as "table", name, is_unique as "unique",
  is_primary as "primary", method, parts, predicate, definition from schema_index`;

const toIndex = (r: IndexRow): IndexInfo => ({
  name: r.name,
  unique: r.unique === 1,
  primary: r.primary === 1,
  method: r.method,
  parts: parse<IndexPart[]>(r.parts),
  predicate: r.predicate,
  definition: r.definition,
});

export const toForeignKey = (r: ConstraintRow): ForeignKeyInfo & { schema: string; table: string } => ({
  schema: r.schema,
  table: r.table,
  name: r.name,
  columns: parse<string[]>(r.columns) ?? [],
  refSchema: r.refSchema ?? '',
  refTable: r.refTable ?? '',
  refColumns: parse<string[]>(r.refColumns) ?? [],
  onUpdate: r.onUpdate ?? 'NO ACTION',
  onDelete: r.onDelete ?? 'NO ACTION',
});

/** Adds a table's constraints and indexes to `table`, in their stored order. */
export function attach(table: TableInfo, constraints: ConstraintRow[], indexes: IndexRow[]) {
  for (const r of constraints.sort((a, b) => a.ordinal - b.ordinal)) {
    if (r.type === 'p') table.primaryKey = { name: r.name, columns: parse<string[]>(r.columns) ?? [] };
    else if (r.type === 'u') table.uniques.push({ name: r.name, columns: parse<string[]>(r.columns) ?? [] });
    else if (r.type === 'c') table.checks.push({ name: r.name, expression: r.expression ?? '' });
    else {
      const { schema: _s, table: _t, ...fk } = toForeignKey(r);
      table.foreignKeys.push(fk);
    }
  }
  table.indexes.push(...indexes.map(toIndex).sort((a, b) => cmp(a.name, b.name)));
}

export function tableFromRow(r: TableRow): TableInfo {
  const table: TableInfo = {
    schema: r.schema,
    name: r.name,
    kind: r.kind,
    comment: r.comment,
    rowEstimate: r.rowEstimate,
    partitionOf: parse<TableInfo['partitionOf']>(r.partitionOf),
    definition: r.definition,
    columns: [],
    primaryKey: null,
    foreignKeys: [],
    uniques: [],
    checks: [],
    indexes: [],
  };
  if (r.dependsOn !== null) table.dependsOn = parse<NonNullable<TableInfo['dependsOn']>>(r.dependsOn);
  return table;
}

export const stripColumn = ({ isPrimaryKey: _p, isForeignKey: _f, ...c }: ColumnSummary): ColumnInfo => c;

export interface ObjectRow {
  /** `programs` marks a snapshot that listed routines, triggers and events (its body is their count). */
  kind: 'sequence' | 'domain' | 'table' | 'programs' | ProgramInfo['kind'];
  body: string;
}

/**
 * One row per routine, trigger or event, plus a marker row, so a snapshot that listed none
 * reads back as an empty list and one stored before they were listed reads back without any.
 */
export function programRows(programs: ProgramInfo[] | undefined): unknown[][] {
  if (!programs) return [];
  const rows: unknown[][] = [['programs', 0, '', '', String(programs.length)]];
  programs.forEach((p, i) => {
    rows.push([p.kind, i, p.schema, p.name, JSON.stringify(p)]);
  });
  return rows;
}

/**
 * What a table holds beyond its row, columns, constraints and indexes — MySQL partitioning,
 * system versioning, invisible and period columns — stored as one `schema_object` row
 * (kind `table`) per table that has any, so no column is added for what few tables use.
 */
export interface TableExtras {
  schema: string;
  name: string;
  partitioning?: TableInfo['partitioning'];
  systemVersioned?: true;
  columns?: Record<string, Pick<ColumnInfo, 'invisible' | 'rowPeriod'>>;
  /** SQLite: WITHOUT ROWID, STRICT, a virtual table's module, a shadow table's owner. */
  sqlite?: TableInfo['sqlite'];
}

export function tableExtras(tables: TableInfo[]): TableExtras[] {
  const out: TableExtras[] = [];
  for (const t of tables) {
    const extras: TableExtras = { schema: t.schema, name: t.name };
    if (t.partitioning) extras.partitioning = t.partitioning;
    if (t.systemVersioned) extras.systemVersioned = true;
    if (t.sqlite) extras.sqlite = t.sqlite;
    for (const c of t.columns) {
      if (!c.invisible && !c.rowPeriod) continue;
      extras.columns ??= {};
      extras.columns[c.name] = {
        ...(c.invisible ? { invisible: c.invisible } : {}),
        ...(c.rowPeriod ? { rowPeriod: c.rowPeriod } : {}),
      };
    }
    if (extras.partitioning || extras.systemVersioned || extras.columns || extras.sqlite) out.push(extras);
  }
  return out;
}

/** Puts a stored `TableExtras` back on its table and columns. */
export function applyExtras<C extends ColumnInfo>(
  table: Omit<TableInfo, 'columns'> & { columns: C[] },
  extras: TableExtras,
) {
  if (extras.partitioning) table.partitioning = extras.partitioning;
  if (extras.systemVersioned) table.systemVersioned = true;
  if (extras.sqlite) table.sqlite = extras.sqlite;
  for (const c of table.columns) Object.assign(c, extras.columns?.[c.name]);
}

/**
 * Sequences and domains, each present when the engine has the kind or the snapshot holds one:
 * a MariaDB snapshot without sequences was introspected without the key, and loads the same.
 */
export function objectsOf(
  rows: ObjectRow[],
  sequencesAndDomains: boolean,
): { objects: Pick<SchemaSnapshot, 'sequences' | 'domains' | 'programs'>; extras: TableExtras[] } {
  const sequences: SequenceInfo[] = [];
  const domains: DomainInfo[] = [];
  const extras: TableExtras[] = [];
  let programs: ProgramInfo[] | undefined;
  for (const r of rows) {
    if (r.kind === 'sequence') sequences.push(parse<SequenceInfo>(r.body));
    else if (r.kind === 'domain') domains.push(parse<DomainInfo>(r.body));
    else if (r.kind === 'table') extras.push(parse<TableExtras>(r.body));
    else {
      programs ??= [];
      if (r.kind !== 'programs') programs.push(parse<ProgramInfo>(r.body));
    }
  }
  const objects = sequencesAndDomains ? { sequences, domains } : sequences.length ? { sequences } : {};
  return { objects: programs ? { ...objects, programs: sortPrograms(programs) } : objects, extras };
}
