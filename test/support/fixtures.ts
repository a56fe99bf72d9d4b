/**
 * The databases every API-level test talks to, as saved-connection settings, and the helpers that
 * save them. One copy for the whole suite: test/support/datasets.ts loads the same databases.
 */
import { api, jsonInit, type TestUser } from './auth.ts';

/** Pagila in the local PostgreSQL (loaded by test/support/datasets.ts). */
export const PAGILA = {
  engine: 'postgres',
  host: '127.0.0.1',
  port: 5432,
  user: 'postgres',
  database: 'pagila',
  sslMode: 'disable',
};
/** Sakila in the local MariaDB. */
export const SAKILA = { engine: 'mysql', host: '127.0.0.1', port: 3306, user: 'root', database: 'sakila' };
/** The scratch databases (`atrium_test`) where tests may write. */
export const SCRATCH = {
  postgres: { ...PAGILA, database: 'atrium_test' },
  mysql: { ...SAKILA, database: 'atrium_test' },
} as const;
/** The built-in Chinook demo (a D1 binding), present in every org. */
export const CHINOOK_ID = 'builtin:demo';

export async function saveConnection(owner: TestUser, name: string, settings: object): Promise<string> {
  const res = await api('/api/connections', jsonInit('POST', { name, ...settings }, owner.bearerHeaders));
  if (res.status !== 201) throw new Error(`connection create failed: ${res.status} ${await res.text()}`);
  return (await res.json<{ id: string }>()).id;
}

/** `/api/connections/<id><rest>`, with the id encoded once. */
export const connectionPath = (connectionId: string, rest = '') =>
  `/api/connections/${encodeURIComponent(connectionId)}${rest}`;

/** A name no concurrent run shares. */
export const uniqueName = (prefix: string) =>
  `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
