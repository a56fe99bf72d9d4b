/** PostgreSQL as a dialect, whichever transport reaches it. */
import { postgreSplitterOptions } from 'dbgate-query-splitter';
import {
  DummyDriver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type SqlBool,
  sql,
} from 'kysely';
import { containsPattern } from '../../lib/like.ts';
import { CAPABILITIES } from '../capabilities.ts';
import type { SqlDialect } from '../dialect.ts';

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  capabilities: CAPABILITIES.postgres,
  kysely: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db) => new PostgresIntrospector(db),
  },
  splitterOptions: postgreSplitterOptions,
  // Backslash is Postgres's default LIKE escape character.
  containsText: (value, needle) => sql<SqlBool>`cast(${value} as text) like ${containsPattern(needle)}`,
  implicitNamespace: null,
  routineScript: { prologue: 'SET check_function_bodies = false;', delimiter: null },
};
