/** What the schema tests share beyond test/support: JSON reads and a sync call. */
import { api, jsonInit, type TestUser } from '../../support/auth.ts';
import { connectionPath } from '../../support/fixtures.ts';

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
  const res = await api(connectionPath(connectionId, '/sync'), jsonInit('POST', {}, user.bearerHeaders));
  if (res.status !== 200) throw new Error(`sync ${connectionId}: ${res.status} ${await res.text()}`);
  return res.json<SyncBody>();
}
