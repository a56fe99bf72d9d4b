/**
 * Every engine's dialect by name, for code that holds only a stored name (a saved connection,
 * a snapshot, the connection form) and must ask what that engine can do without opening it.
 */
import type { EngineName, SqlDialect } from './dialect.ts';
import { mysqlDialect } from './mysql/mysql-dialect.ts';
import { postgresDialect } from './postgres/postgres-dialect.ts';
import { sqliteDialect } from './sqlite/sqlite-dialect.ts';

const DIALECTS: Record<EngineName, SqlDialect> = {
  postgres: postgresDialect,
  mysql: mysqlDialect,
  sqlite: sqliteDialect,
};

export function dialectOf(name: EngineName): SqlDialect {
  return DIALECTS[name];
}

export { capabilitiesOf } from './capabilities.ts';

/** Engines whose connections name a Workers binding instead of a host and login. */
export type BindingEngine = 'sqlite';
export type NetworkEngine = Exclude<EngineName, BindingEngine>;

/** `capabilities.addressing === 'binding'`, as a type guard on the name. */
export function isBindingEngine(name: EngineName): name is BindingEngine {
  return DIALECTS[name].capabilities.addressing === 'binding';
}

/** The same test on anything carrying an engine name, narrowing a settings union to its binding form. */
export function addressedByBinding<T extends { engine: EngineName }>(
  value: T,
): value is T & { engine: BindingEngine } {
  return isBindingEngine(value.engine);
}
