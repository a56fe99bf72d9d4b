import { uncounted } from '../lib/round-trips.ts';
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

interface Entry {
  value: Promise<OpenedConnection>;
  until: number;
  loadedAt: number;
  refreshing: boolean;
}

const entries = new Map<string, Entry>();
/** Moves on every forget: a row read before a change in this isolate is not primed after it. */
let generation = 0;
const keyOf = (orgId: string, connectionId: string) => JSON.stringify([orgId, connectionId]);

/**
 * The cached connection, or `load()`'s, remembered for the TTL. Concurrent callers share one
 * load; a failed load (not found, vault error) is not remembered. Past half the TTL the entry is
 * still served and re-loaded after the response (`waitUntil`), so steady traffic never waits for
 * D1 here (issue 17); an edit in this isolate (`forgetConnection`) discards that re-load.
 */
export function cachedConnection(
  orgId: string,
  connectionId: string,
  load: () => Promise<OpenedConnection>,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<OpenedConnection> {
  const key = keyOf(orgId, connectionId);
  const now = Date.now();
  const hit = entries.get(key);
  if (hit && hit.until > now) {
    if (waitUntil && !hit.refreshing && now - hit.loadedAt > TTL_MS / 2) {
      hit.refreshing = true;
      const next = uncounted(load);
      waitUntil(
        next.then(
          () => {
            if (entries.get(key) === hit) remember(key, next);
          },
          () => {
            if (entries.get(key) === hit) entries.delete(key);
          },
        ),
      );
    }
    return hit.value;
  }
  if (entries.size >= MAX_ENTRIES) entries.clear();
  const value = load();
  remember(key, value);
  value.catch(() => {
    if (entries.get(key)?.value === value) entries.delete(key);
  });
  return value;
}

function remember(key: string, value: Promise<OpenedConnection>) {
  const now = Date.now();
  entries.set(key, { value, until: now + TTL_MS, loadedAt: now, refreshing: false });
}

/** Pass to `primeConnection` what this returned before the read began. */
export const connectionGeneration = () => generation;

/**
 * Stores a connection read by a batched request-start read (connections/preload.ts), unless
 * one is already held or a connection changed in this isolate since `readAt`.
 */
export function primeConnection(
  orgId: string,
  connectionId: string,
  value: OpenedConnection,
  readAt: number,
): void {
  if (readAt !== generation) return;
  const key = keyOf(orgId, connectionId);
  const hit = entries.get(key);
  if (hit && hit.until > Date.now()) return;
  if (entries.size >= MAX_ENTRIES) entries.clear();
  remember(key, Promise.resolve(value));
}

/** True when this isolate holds connection `connectionId` of `orgId` (no read needed). */
export function holdsConnection(orgId: string, connectionId: string): boolean {
  const hit = entries.get(keyOf(orgId, connectionId));
  return !!hit && hit.until > Date.now();
}

type ChangeListener = (orgId: string, connectionId: string) => void;
const listeners = new Set<ChangeListener>();

/**
 * Runs `listener` whenever this isolate changes a connection (`forgetConnection`): other
 * isolate caches built from the connection (schema heads, the dashboard) drop their copy too.
 */
export function onConnectionChange(listener: ChangeListener): void {
  listeners.add(listener);
}

/** Drops a connection from this isolate's caches; called by every write to its row. */
export function forgetConnection(orgId: string, connectionId: string): void {
  generation++;
  entries.delete(keyOf(orgId, connectionId));
  for (const listener of listeners) listener(orgId, connectionId);
}

/** Forgets every connection this isolate holds (the bench's cold-isolate mode, bench/geo). */
export function forgetAllConnections(): void {
  generation++;
  entries.clear();
}
