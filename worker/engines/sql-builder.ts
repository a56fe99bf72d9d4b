/**
 * Kysely as a SQL compiler only: builds quoted, parameterized SQL for an engine's dialect from
 * table and column names (the data grid), and never connects — `DummyDriver` executes nothing.
 * Run the compiled `{ sql, parameters }` through the engine. Placeholders follow the dialect:
 * `$1` for postgres, `?` for mysql and sqlite, which is what each engine's `query()` takes.
 */

import type { Dialect } from 'kysely';
import {
  DummyDriver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { EngineName } from './engine.ts';

function dialect(engine: EngineName): Dialect {
  const parts = {
    postgres: [PostgresAdapter, PostgresQueryCompiler, PostgresIntrospector],
    mysql: [MysqlAdapter, MysqlQueryCompiler, MysqlIntrospector],
    sqlite: [SqliteAdapter, SqliteQueryCompiler, SqliteIntrospector],
  } as const;
  const [Adapter, Compiler, Introspector] = parts[engine];
  return {
    createAdapter: () => new Adapter(),
    createDriver: () => new DummyDriver(),
    createQueryCompiler: () => new Compiler(),
    createIntrospector: (db) => new Introspector(db),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: user tables are only known at run time
type AnyDatabase = Record<string, Record<string, any>>;

const builders = new Map<EngineName, Kysely<AnyDatabase>>();

/** A compile-only Kysely for `engine` (use `.compile()`, never `.execute()`). */
export function sqlBuilder(engine: EngineName): Kysely<AnyDatabase> {
  let db = builders.get(engine);
  if (!db) {
    db = new Kysely<AnyDatabase>({ dialect: dialect(engine) });
    builders.set(engine, db);
  }
  return db;
}
