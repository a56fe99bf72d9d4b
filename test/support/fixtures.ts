/**
 * The databases every test talks to, as saved-connection settings, and the paths and names built
 * from them. Plain data, so workerd and Node tests share it; test/support/datasets.ts loads them.
 */
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

/** `/api/connections/<id><rest>`, with the id encoded once. */
export const connectionPath = (connectionId: string, rest = '') =>
  `/api/connections/${encodeURIComponent(connectionId)}${rest}`;

/** A name no concurrent run shares. */
export const uniqueName = (prefix: string) =>
  `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
