/** MySQL and MariaDB as a dialect, whichever transport reaches them. */
import { mysqlSplitterOptions } from 'dbgate-query-splitter';
import { DummyDriver, MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler, type SqlBool, sql } from 'kysely';
import { containsPattern } from '../../lib/like.ts';
import { CAPABILITIES } from '../capabilities.ts';
import type { SqlDialect } from '../dialect.ts';

export const mysqlDialect: SqlDialect = {
  name: 'mysql',
  capabilities: CAPABILITIES.mysql,
  kysely: {
    createAdapter: () => new MysqlAdapter(),
    createDriver: () => new DummyDriver(),
    createQueryCompiler: () => new MysqlQueryCompiler(),
    createIntrospector: (db) => new MysqlIntrospector(db),
  },
  splitterOptions: mysqlSplitterOptions,
  // A binary collation, so accents and case count; backslash is MySQL's default LIKE escape.
  containsText: (value, needle) =>
    sql<SqlBool>`cast(${value} as char character set utf8mb4) collate utf8mb4_bin like ${containsPattern(needle)}`,
  implicitNamespace: null,
  routineScript: { prologue: null, delimiter: ';;' },
};
