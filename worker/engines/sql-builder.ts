/**
 * Kysely as a SQL compiler only: builds quoted, parameterized SQL in an engine's dialect from
 * table and column names (the data grid, imports, DDL), and never connects — each dialect's
 * `DummyDriver` executes nothing. Run the compiled `{ sql, parameters }` through the engine;
 * placeholders are the dialect's (`$1` for Postgres, `?` for MySQL and SQLite), which is what
 * each engine's `query()` takes. Identifier quoting is the compiler's, never hand-written.
 */
import { Kysely, type RawBuilder, sql } from 'kysely';
import type { EngineName, SqlDialect } from './dialect.ts';
import { dialectOf } from './dialects.ts';
import type { StatementResult } from './engine.ts';

/** User tables are unknown at compile time: every table is a bag of unknown columns. */
export type AnyDB = Record<string, Record<string, unknown>>;
export type Builder = Kysely<AnyDB>;

const builders = new Map<EngineName, Builder>();

const dialectFrom = (d: SqlDialect | EngineName): SqlDialect => (typeof d === 'string' ? dialectOf(d) : d);

/** A compile-only Kysely for the dialect (use `.compile()`, never `.execute()`). */
export function sqlBuilder(d: SqlDialect | EngineName): Builder {
  const dialect = dialectFrom(d);
  let db = builders.get(dialect.name);
  if (!db) {
    db = new Kysely<AnyDB>({ dialect: dialect.kysely });
    builders.set(dialect.name, db);
  }
  return db;
}

/**
 * A schema-qualified table as one expression. Kysely's string table references split on "."
 * and " as " (and trim), which would misread hostile names, so names always go through
 * `sql.id`, which quotes each part whole. The dialect's implicit namespace is left out.
 */
export function tableId(d: SqlDialect | EngineName, schema: string, table: string): RawBuilder<unknown> {
  return dialectFrom(d).implicitNamespace === schema ? sql.id(table) : sql.id(schema, table);
}

/** A column as one quoted identifier, whatever characters its name holds. */
export const col = (name: string): RawBuilder<unknown> => sql.id(name);

/** Engine rows are arrays in column order; this keys them by column name. */
export function rowObjects(result: Pick<StatementResult, 'columns' | 'rows'>): Record<string, unknown>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));
}
