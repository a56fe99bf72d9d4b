/**
 * What every dialect's DDL writer shares: quoting through Kysely's compiler for the dialect
 * (identifiers and literals are never quoted by hand) and the order objects are created in.
 */
import { sql } from 'kysely';
import type { EngineName } from '../engines/engine.ts';
import type { QualifiedName, SchemaSnapshot, TableInfo } from '../engines/schema-model.ts';
import { sqlBuilder } from '../engines/sql-builder.ts';

export interface Quoting {
  id: (...names: string[]) => string;
  lit: (value: string) => string;
}

export function quoting(engine: EngineName): Quoting {
  const db = sqlBuilder(engine);
  return {
    id: (...names) => sql.id(...names).compile(db).sql,
    lit: (value) => sql.lit(value).compile(db).sql,
  };
}

export const constraintName = (q: Quoting, name: string | null) => (name ? `CONSTRAINT ${q.id(name)} ` : '');
export const list = (q: Quoting, names: string[]) => names.map((n) => q.id(n)).join(', ');

/** Parents before partitions, views after tables and after the views they read. */
export function ordered(
  snapshot: SchemaSnapshot,
  viewDependencies: (v: TableInfo) => QualifiedName[] = () => [],
) {
  const tables = snapshot.tables.filter((t) => t.kind === 'table' || t.kind === 'partitioned_table');
  const views = snapshot.tables.filter((t) => t.kind === 'view' || t.kind === 'materialized_view');
  return {
    roots: tables.filter((t) => !t.partitionOf),
    partitions: tables.filter((t) => t.partitionOf),
    views: dependencyOrder(views, viewDependencies),
  };
}

export const nameKey = (n: QualifiedName) => `${n.schema}\u0000${n.name}`;

/** Depth-first, keeping the snapshot's order among independent views; a cycle cannot exist in a live catalog. */
function dependencyOrder(views: TableInfo[], dependencies: (v: TableInfo) => QualifiedName[]): TableInfo[] {
  const byKey = new Map(views.map((v) => [nameKey(v), v]));
  const done = new Set<string>();
  const out: TableInfo[] = [];
  const visit = (v: TableInfo) => {
    const key = nameKey(v);
    if (done.has(key)) return;
    done.add(key);
    for (const d of dependencies(v)) {
      const dep = byKey.get(nameKey(d));
      if (dep) visit(dep);
    }
    out.push(v);
  };
  for (const v of views) visit(v);
  return out;
}
