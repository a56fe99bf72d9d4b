/**
 * Structural difference between two snapshots, and the hash that says whether there
 * is one. Row estimates move on every ANALYZE, so they are never a change.
 */
import type {
  CheckInfo,
  ColumnInfo,
  ForeignKeyInfo,
  IndexInfo,
  KeyInfo,
  ProgramInfo,
  SchemaSnapshot,
  TableInfo,
} from '../engines/schema-model.ts';
import { sha256Hex } from '../lib/hash.ts';
import { SNAPSHOT_ROWS_VERSION } from './snapshot-sets.ts';

export interface TableRef {
  schema: string;
  name: string;
  kind: string;
}

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface KeyRef {
  type: 'primary_key' | 'foreign_key' | 'unique' | 'check';
  name: string | null;
  definition: string;
}

export interface IndexRef {
  name: string;
  definition: string;
}

export interface TableChange {
  schema: string;
  name: string;
  changes: FieldChange[];
  columnsAdded: { name: string; dataType: string; nullable: boolean }[];
  columnsRemoved: { name: string; dataType: string }[];
  columnsChanged: { name: string; changes: FieldChange[] }[];
  keysAdded: KeyRef[];
  keysRemoved: KeyRef[];
  indexesAdded: IndexRef[];
  indexesRemoved: IndexRef[];
  indexesChanged: { name: string; from: string; to: string }[];
}

export interface SchemaDiff {
  tablesAdded: TableRef[];
  tablesRemoved: TableRef[];
  tablesChanged: TableChange[];
  enumsAdded: string[];
  enumsRemoved: string[];
  enumsChanged: { name: string; from: string[]; to: string[] }[];
  /** Sequences, domains, routines, triggers and events. Absent from diffs stored before. */
  objectsAdded: ObjectRef[];
  objectsRemoved: ObjectRef[];
  objectsChanged: (ObjectRef & { changes: FieldChange[] })[];
  /** Set when the diff was too large to store; the summary still counts everything. */
  truncated?: boolean;
}

export interface ObjectRef {
  kind: 'sequence' | 'domain' | ProgramInfo['kind'];
  schema: string;
  name: string;
  /** A routine's arguments, a trigger's timing and table, an event's schedule. */
  signature?: string;
}

export interface DiffSummary {
  tablesAdded: number;
  tablesRemoved: number;
  tablesChanged: number;
  columnsAdded: number;
  columnsRemoved: number;
  columnsChanged: number;
  keysAdded: number;
  keysRemoved: number;
  indexesAdded: number;
  indexesRemoved: number;
  indexesChanged: number;
  enumsChanged: number;
  /** Sequences, domains, routines, triggers and events added, removed or changed. */
  objectsChanged: number;
}

const key = (schema: string, name: string) => `${schema}\u0000${name}`;
const ref = (t: TableInfo): TableRef => ({ schema: t.schema, name: t.name, kind: t.kind });

export function diffSnapshots(before: SchemaSnapshot, after: SchemaSnapshot): SchemaDiff {
  const old = new Map(before.tables.map((t) => [key(t.schema, t.name), t]));
  const now = new Map(after.tables.map((t) => [key(t.schema, t.name), t]));
  const diff: SchemaDiff = {
    tablesAdded: after.tables.filter((t) => !old.has(key(t.schema, t.name))).map(ref),
    tablesRemoved: before.tables.filter((t) => !now.has(key(t.schema, t.name))).map(ref),
    tablesChanged: [],
    enumsAdded: [],
    enumsRemoved: [],
    enumsChanged: [],
    objectsAdded: [],
    objectsRemoved: [],
    objectsChanged: [],
  };
  diffObjects(diff, 'sequence', before.sequences ?? [], after.sequences ?? []);
  diffObjects(diff, 'domain', before.domains ?? [], after.domains ?? []);
  // A snapshot stored before routines were listed says nothing about them: no change either way.
  if (before.programs && after.programs) diffPrograms(diff, before.programs, after.programs);
  for (const t of after.tables) {
    const prev = old.get(key(t.schema, t.name));
    if (!prev) continue;
    const change = diffTable(prev, t);
    if (change) diff.tablesChanged.push(change);
  }
  const oldEnums = new Map(before.enums.map((e) => [`${e.schema}.${e.name}`, e.values]));
  const newEnums = new Map(after.enums.map((e) => [`${e.schema}.${e.name}`, e.values]));
  for (const [name, values] of newEnums) {
    const prev = oldEnums.get(name);
    if (!prev) diff.enumsAdded.push(name);
    else if (JSON.stringify(prev) !== JSON.stringify(values))
      diff.enumsChanged.push({ name, from: prev, to: values });
  }
  for (const name of oldEnums.keys()) if (!newEnums.has(name)) diff.enumsRemoved.push(name);
  return diff;
}

/** Each object's fields compared one by one, so the history says what moved (`increment: 1 → 5`). */
function diffObjects<T extends { schema: string; name: string }>(
  diff: SchemaDiff,
  kind: ObjectRef['kind'] | ((o: T) => ObjectRef),
  before: T[],
  after: T[],
  identity: (o: T) => string = (o) => key(o.schema, o.name),
) {
  const refOf = (o: T): ObjectRef =>
    typeof kind === 'function' ? kind(o) : { kind, schema: o.schema, name: o.name };
  const old = new Map(before.map((o) => [identity(o), o]));
  const now = new Map(after.map((o) => [identity(o), o]));
  for (const o of after) {
    const prev = old.get(identity(o));
    if (!prev) {
      diff.objectsAdded.push(refOf(o));
      continue;
    }
    const fields = Object.keys({ ...prev, ...o }).filter((f) => f !== 'schema' && f !== 'name');
    const changes = fieldChanges(prev, o, fields as (keyof T & string)[]);
    if (changes.length) diff.objectsChanged.push({ ...refOf(o), changes });
  }
  for (const o of before) if (!now.has(identity(o))) diff.objectsRemoved.push(refOf(o));
}

/**
 * Overloads share a name, so a routine is known by kind, name and arguments. A trigger's name
 * is unique only on its table (Pagila has thirteen `last_updated`), so it is known by name and
 * table — not its timing, which may change — and an event by its name alone.
 */
function diffPrograms(diff: SchemaDiff, before: ProgramInfo[], after: ProgramInfo[]) {
  const identity = (p: ProgramInfo) =>
    p.kind === 'trigger' ? triggerTable(p.signature) : p.kind === 'event' ? '' : p.signature;
  diffObjects(
    diff,
    (p) => ({ kind: p.kind, schema: p.schema, name: p.name, signature: p.signature }),
    before,
    after,
    (p) => `${key(p.schema, p.name)}\u0000${p.kind}\u0000${identity(p)}`,
  );
}

/** `BEFORE INSERT OR UPDATE ON t` → `t`: timing and events are keywords, so the first ` ON ` ends them. */
const triggerTable = (signature: string) => {
  const at = signature.indexOf(' ON ');
  return at < 0 ? signature : signature.slice(at + 4);
};

export function isEmptyDiff(diff: SchemaDiff): boolean {
  const { truncated: _t, ...lists } = diff;
  return Object.values(lists).every((list: unknown[]) => list.length === 0);
}

export function summarize(diff: SchemaDiff): DiffSummary {
  const sum = (pick: (t: TableChange) => unknown[]) =>
    diff.tablesChanged.reduce((n, t) => n + pick(t).length, 0);
  return {
    tablesAdded: diff.tablesAdded.length,
    tablesRemoved: diff.tablesRemoved.length,
    tablesChanged: diff.tablesChanged.length,
    columnsAdded: sum((t) => t.columnsAdded),
    columnsRemoved: sum((t) => t.columnsRemoved),
    columnsChanged: sum((t) => t.columnsChanged),
    keysAdded: sum((t) => t.keysAdded),
    keysRemoved: sum((t) => t.keysRemoved),
    indexesAdded: sum((t) => t.indexesAdded),
    indexesRemoved: sum((t) => t.indexesRemoved),
    indexesChanged: sum((t) => t.indexesChanged),
    enumsChanged: diff.enumsAdded.length + diff.enumsRemoved.length + diff.enumsChanged.length,
    objectsChanged: diff.objectsAdded.length + diff.objectsRemoved.length + diff.objectsChanged.length,
  };
}

const COLUMN_FIELDS = [
  'dataType',
  'nullable',
  'default',
  'generated',
  'identity',
  'onUpdate',
  'comment',
  'invisible',
  'rowPeriod',
] as const;

function diffTable(before: TableInfo, after: TableInfo): TableChange | null {
  const change: TableChange = {
    schema: after.schema,
    name: after.name,
    changes: fieldChanges(before, after, [
      'kind',
      'comment',
      'definition',
      'partitionOf',
      'partitioning',
      'systemVersioned',
      'sqlite',
    ]),
    columnsAdded: [],
    columnsRemoved: [],
    columnsChanged: [],
    keysAdded: [],
    keysRemoved: [],
    indexesAdded: [],
    indexesRemoved: [],
    indexesChanged: [],
  };
  const oldCols = new Map(before.columns.map((c) => [c.name, c]));
  const newCols = new Map(after.columns.map((c) => [c.name, c]));
  for (const c of after.columns) {
    const prev = oldCols.get(c.name);
    if (!prev) change.columnsAdded.push({ name: c.name, dataType: c.dataType, nullable: c.nullable });
    else {
      const fields = fieldChanges<ColumnInfo>(prev, c, COLUMN_FIELDS);
      if (fields.length) change.columnsChanged.push({ name: c.name, changes: fields });
    }
  }
  for (const c of before.columns) {
    if (!newCols.has(c.name)) change.columnsRemoved.push({ name: c.name, dataType: c.dataType });
  }

  const oldKeys = keyRefs(before);
  const newKeys = keyRefs(after);
  const sig = (k: KeyRef) => `${k.type}\u0000${k.name ?? ''}\u0000${k.definition}`;
  const oldSigs = new Set(oldKeys.map(sig));
  const newSigs = new Set(newKeys.map(sig));
  change.keysAdded = newKeys.filter((k) => !oldSigs.has(sig(k)));
  change.keysRemoved = oldKeys.filter((k) => !newSigs.has(sig(k)));

  const oldIdx = new Map(before.indexes.map((i) => [i.name, indexDefinition(i)]));
  const newIdx = new Map(after.indexes.map((i) => [i.name, indexDefinition(i)]));
  for (const [name, definition] of newIdx) {
    const prev = oldIdx.get(name);
    if (prev === undefined) change.indexesAdded.push({ name, definition });
    else if (prev !== definition) change.indexesChanged.push({ name, from: prev, to: definition });
  }
  for (const [name, definition] of oldIdx) {
    if (!newIdx.has(name)) change.indexesRemoved.push({ name, definition });
  }

  const { schema: _s, name: _n, ...lists } = change;
  return Object.values(lists).some((l) => l.length > 0) ? change : null;
}

function fieldChanges<T extends object>(
  before: T,
  after: T,
  fields: readonly (keyof T & string)[],
): FieldChange[] {
  const out: FieldChange[] = [];
  for (const field of fields) {
    const from = before[field] ?? null;
    const to = after[field] ?? null;
    // Most fields are equal strings or booleans: only objects need comparing as JSON.
    if (from !== to && JSON.stringify(from) !== JSON.stringify(to)) out.push({ field, from, to });
  }
  return out;
}

const cols = (k: KeyInfo) => `(${k.columns.join(', ')})`;

function keyRefs(t: TableInfo): KeyRef[] {
  const refs: KeyRef[] = [];
  if (t.primaryKey)
    refs.push({ type: 'primary_key', name: t.primaryKey.name, definition: cols(t.primaryKey) });
  for (const fk of t.foreignKeys)
    refs.push({ type: 'foreign_key', name: fk.name, definition: fkDefinition(fk) });
  for (const u of t.uniques) refs.push({ type: 'unique', name: u.name, definition: cols(u) });
  for (const c of t.checks) refs.push({ type: 'check', name: c.name, definition: checkDefinition(c) });
  return refs;
}

const fkDefinition = (fk: ForeignKeyInfo) =>
  `${cols(fk)} → ${fk.refSchema}.${fk.refTable}(${fk.refColumns.join(', ')}) on update ${fk.onUpdate} on delete ${fk.onDelete}`;
const checkDefinition = (c: CheckInfo) => c.expression;

function indexDefinition(i: IndexInfo): string {
  const parts = i.parts
    .map((p) => `${p.column ?? p.expression ?? ''}${p.descending ? ' desc' : ''}`)
    .join(', ');
  return `${i.unique ? 'unique ' : ''}${i.method ?? ''}(${parts})${i.predicate ? ` where ${i.predicate}` : ''}`;
}

/**
 * SHA-256 over the structure with row estimates left out, and the version of the rows it is
 * stored as: a sync whose hash matches the head's keeps the head's rows (refreshSnapshot).
 */
export async function structureHash(snapshot: SchemaSnapshot): Promise<string> {
  const structure = {
    rows: SNAPSHOT_ROWS_VERSION,
    namespaces: snapshot.namespaces,
    enums: snapshot.enums,
    sequences: snapshot.sequences,
    domains: snapshot.domains,
    programs: snapshot.programs,
    tables: snapshot.tables.map((t) => ({ ...t, rowEstimate: null })),
  };
  return sha256Hex(JSON.stringify(structure));
}
