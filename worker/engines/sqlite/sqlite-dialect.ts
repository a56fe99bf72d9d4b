/** SQLite as a dialect, whichever transport reaches it (today a D1 binding). */
import { sqliteSplitterOptions } from 'dbgate-query-splitter';
import {
  DummyDriver,
  type SqlBool,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from 'kysely';
import { CAPABILITIES } from '../capabilities.ts';
import type { SqlDialect } from '../dialect.ts';

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  capabilities: CAPABILITIES.sqlite,
  kysely: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  },
  splitterOptions: sqliteSplitterOptions,
  // instr is case-sensitive and needs no LIKE escaping (SQLite's LIKE ignores ASCII case).
  containsText: (value, needle) => sql<SqlBool>`instr(cast(${value} as text), ${needle}) > 0`,
  implicitNamespace: 'main',
  routineScript: { prologue: null, delimiter: null },
};
