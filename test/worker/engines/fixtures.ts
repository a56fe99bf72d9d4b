import { env } from 'cloudflare:workers';
import type { EngineConfig } from '../../../worker/engines/create-engine.ts';

/** The sample databases loaded by test/support/datasets.ts, and the scratch databases for writes. */
export const pagila: EngineConfig = {
  engine: 'postgres',
  host: '127.0.0.1',
  port: 5432,
  database: 'pagila',
  user: 'postgres',
  password: 'postgres',
};
export const sakila: EngineConfig = {
  engine: 'mysql',
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
