import {
  type Compilable,
  type CompiledQuery,
  DummyDriver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RawBuilder,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from 'kysely';
import type { EngineName, StatementResult } from '../engines/engine.ts';

/** User tables are unknown at compile time: every table is a bag of unknown columns. */
export type AnyDB = Record<string, Record<string, unknown>>;
export type Builder = Kysely<AnyDB>;

const builders = new Map<EngineName, Builder>();

/**
 * A Kysely instance that only compiles (DummyDriver: it can never execute).
 * Queries it builds go to `Engine.query` as `{ sql, parameters }`, so identifier
 * quoting and placeholders (`$1` / `?`) are the dialect compiler's, never ours.
 */
export function builderFor(engine: EngineName): Builder {
  let db = builders.get(engine);
  if (!db) {
    db = new Kysely<AnyDB>({
      dialect: {
        createDriver: () => new DummyDriver(),
        createAdapter: () =>
          engine === 'postgres'
            ? new PostgresAdapter()
            : engine === 'mysql'
              ? new MysqlAdapter()
              : new SqliteAdapter(),
        createQueryCompiler: () =>
          engine === 'postgres'
            ? new PostgresQueryCompiler()
            : engine === 'mysql'
              ? new MysqlQueryCompiler()
              : new SqliteQueryCompiler(),
        createIntrospector: (k) =>
          engine === 'postgres'
            ? new PostgresIntrospector(k)
            : engine === 'mysql'
              ? new MysqlIntrospector(k)
              : new SqliteIntrospector(k),
      },
    });
    builders.set(engine, db);
  }
  return db;
}

/**
 * A schema-qualified table as one expression. Kysely's string table references
 * split on "." and " as " (and trim), which would misread hostile names, so
 * names always go through `sql.id`, which quotes each part whole.
 */
export const tableId = (engine: EngineName, schema: string, table: string): RawBuilder<unknown> =>
  engine === 'sqlite' && schema === 'main' ? sql.id(table) : sql.id(schema, table);

/** A column as one quoted identifier, whatever characters its name holds. */
export const col = (name: string): RawBuilder<unknown> => sql.id(name);

export function compile(query: Compilable<unknown>): CompiledQuery<unknown> {
  return query.compile();
}

/** Engine rows are arrays in column order; this keys them by column name. */
export function rowObjects(result: Pick<StatementResult, 'columns' | 'rows'>): Record<string, unknown>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));
}
