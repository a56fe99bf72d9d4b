import { env } from 'cloudflare:workers';
import type { EngineConfig } from '../../../worker/engines/create-engine.ts';
import type { EngineName } from '../../../worker/engines/engine.ts';
import { col, sqlBuilder, tableId } from '../../../worker/engines/sql-builder.ts';

/** The sample databases loaded by test/support/datasets.ts, and the scratch databases for writes. */
export const pagila: EngineConfig = {
  engine: 'postgres',
  // The local Neon stand-in; a loopback host would otherwise default to TCP (contract.test.ts runs both).
  transport: 'neon-http',
  host: '127.0.0.1',
  port: 5432,
  database: 'pagila',
  user: 'postgres',
  password: 'postgres',
};
export const sakila: EngineConfig = {
  engine: 'mysql',
  transport: 'planetscale-http',
  host: '127.0.0.1',
  port: 3306,
  database: 'sakila',
  user: 'root',
};
export const chinook: EngineConfig = { engine: 'sqlite', binding: 'DEMO_DB' };

export const scratch: Record<'postgres' | 'mysql' | 'sqlite', EngineConfig> = {
  postgres: { ...pagila, database: 'atrium_test' },
  mysql: { ...sakila, database: 'atrium_test' },
  sqlite: chinook,
};

/** `host:port` of a listener that accepts connections and never answers (see global-setup.ts). */
export function silentAddress(): { host: string; port: number } {
  const { silent } = JSON.parse(env.LOCAL_ENDPOINTS ?? '{}') as { silent: string };
  const [host, port] = silent.split(':');
  return { host: host!, port: Number(port) };
}

/** A table name no concurrent run shares. */
export function uniqueTable(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/**
 * SQLite through its HTTP transports, to the stand-ins in dev/endpoints (d1-http.ts,
 * libsql-http.ts) serving `chinook` (the shared dataset) and `scratch` (empty, for writes).
 */
const LOCAL_SQLITE_TOKEN = 'atrium-local-token';
export const d1HttpDb = (database: string): EngineConfig => ({
  engine: 'sqlite',
  transport: 'd1-http',
  accountId: 'local',
  database,
  password: LOCAL_SQLITE_TOKEN,
});
export const libsqlDb = (name: string): EngineConfig => ({
  engine: 'sqlite',
  transport: 'libsql-http',
  connectionString: `libsql://localhost/${name}`,
  password: LOCAL_SQLITE_TOKEN,
});

/** Atrium's own whole-table SELECT in key order, built as the export route (routes/exports.ts) builds it. */
export function ownTableSelect(
  engine: EngineName,
  schema: string,
  table: string,
  key: readonly string[],
): string {
  let select = sqlBuilder(engine)
    .selectFrom(tableId(engine, schema, table).as('t'))
    .selectAll();
  for (const name of key) select = select.orderBy(col(name));
  return select.compile().sql;
}
