import { api, createOrg, jsonInit, type TestUser } from '../../support/auth.ts';

/** Saved-connection settings for the databases loaded by test/support/datasets.ts. */
export const PAGILA = {
  engine: 'postgres',
  host: '127.0.0.1',
  port: 5432,
  user: 'postgres',
  database: 'pagila',
  sslMode: 'disable',
};
export const SAKILA = { engine: 'mysql', host: '127.0.0.1', port: 3306, user: 'root', database: 'sakila' };
export const PG_SCRATCH = { ...PAGILA, database: 'atrium_test' };
export const MY_SCRATCH = { ...SAKILA, database: 'atrium_test' };
export const CHINOOK_ID = 'builtin:demo';

export async function saveConnection(owner: TestUser, name: string, settings: object): Promise<string> {
  const res = await api('/api/connections', jsonInit('POST', { name, ...settings }, owner.bearerHeaders));
  if (res.status !== 201) throw new Error(`connection create failed: ${res.status} ${await res.text()}`);
  return (await res.json<{ id: string }>()).id;
}

export const path = (connectionId: string, rest = '') =>
  `/api/connections/${encodeURIComponent(connectionId)}${rest}`;

export async function getJson<T>(user: TestUser, url: string): Promise<T> {
  const res = await api(url, { headers: user.bearerHeaders });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.json<T>();
}

export interface SyncBody {
  snapshotId: string;
  /** ISO 8601, like every date the API returns. */
  syncedAt: string;
  changed: boolean;
  changeId: string | null;
  summary: Record<string, number> | null;
  tableCount: number;
  columnCount: number;
  queryCount: number;
}

export async function sync(user: TestUser, connectionId: string): Promise<SyncBody> {
  const res = await api(path(connectionId, '/sync'), jsonInit('POST', {}, user.bearerHeaders));
  if (res.status !== 200) throw new Error(`sync ${connectionId}: ${res.status} ${await res.text()}`);
  return res.json<SyncBody>();
}

export { createOrg };
