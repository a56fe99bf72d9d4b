import type { ConnectionRow } from '../meta/connections.ts';
import type { StoredSecret } from './types.ts';

/** A saved connection's row and its opened secret, as the query path needs them. */
export interface OpenedConnection {
  row: ConnectionRow;
  stored: StoredSecret | null;
}

/**
 * How long this isolate reuses a connection it loaded and decrypted, instead of a D1 read and a
 * vault open per query. An edit, deactivation or deletion made in this isolate applies at once
 * (`forgetConnection`); other isolates pick it up within this long. The opened secret already
 * lives in the isolate for the length of every query; this keeps it a few seconds more, never
 * outside the isolate's memory.
 */
const TTL_MS = 10_000;
const MAX_ENTRIES = 1_000;

const entries = new Map<string, { value: Promise<OpenedConnection>; until: number }>();
const keyOf = (orgId: string, connectionId: string) => JSON.stringify([orgId, connectionId]);

/**
 * The cached connection, or `load()`'s, remembered for the TTL. Concurrent callers share one
 * load; a failed load (not found, vault error) is not remembered.
 */
export function cachedConnection(
  orgId: string,
  connectionId: string,
  load: () => Promise<OpenedConnection>,
): Promise<OpenedConnection> {
  const key = keyOf(orgId, connectionId);
  const now = Date.now();
  const hit = entries.get(key);
  if (hit && hit.until > now) return hit.value;
  if (entries.size >= MAX_ENTRIES) entries.clear();
  const value = load();
  entries.set(key, { value, until: now + TTL_MS });
  value.catch(() => {
    if (entries.get(key)?.value === value) entries.delete(key);
  });
  return value;
}

/** Drops a connection from this isolate's cache; called by every write to its row. */
export function forgetConnection(orgId: string, connectionId: string): void {
  entries.delete(keyOf(orgId, connectionId));
}
