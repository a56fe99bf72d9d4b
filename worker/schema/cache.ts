/**
 * Schema reads go isolate memory → Cloudflare's Cache API (shared by the isolates of
 * one data centre) → D1. Keys carry the organization, connection, snapshot id and head
 * version, so a sync or `invalidateSchema` (both move the head) makes old entries
 * unreachable everywhere at once; nothing has to be purged across isolates.
 *
 * The head itself (with the connection's name) is kept in isolate memory under the rule of
 * issue 17 (worker/lib/swr-cache.ts): at most 10 s old, re-read after the response, dropped at
 * once by a sync, `invalidateSchema` or a change to the connection made in this isolate. So a
 * warm schema read waits for no D1 round trip; another isolate's sync shows within 10 s
 * (a sync keeps the previous snapshot, so a head one sync behind still reads whole).
 */
import { onConnectionChange } from '../connections/connection-cache.ts';
import type { Env } from '../env.ts';
import { SwrCache } from '../lib/swr-cache.ts';
import { type Head, markStale } from './head.ts';

export const SCHEMA_CACHE_TTL_MS = 15 * 60 * 1000;
/** Roughly the JSON size kept in isolate memory (objects cost 2-3× that; isolates have 128 MB). */
const LRU_MAX_CHARS = 16_000_000;
/** One entry bigger than this (a huge schema's full export) skips isolate memory. */
const LRU_MAX_ENTRY_CHARS = 4_000_000;
const CACHE_ORIGIN = 'https://schema-cache.atrium.internal';

interface Entry {
  value: unknown;
  size: number;
  expires: number;
}

/** Least-recently-used map bounded by total size; a Map iterates in insertion order. */
class Lru {
  #entries = new Map<string, Entry>();
  #size = 0;

  get(key: string): unknown {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expires <= Date.now()) {
      this.#size -= entry.size;
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: unknown, size: number) {
    if (size > LRU_MAX_ENTRY_CHARS) return;
    this.delete(key);
    this.#entries.set(key, { value, size, expires: Date.now() + SCHEMA_CACHE_TTL_MS });
    this.#size += size;
    for (const [oldest, entry] of this.#entries) {
      if (this.#size <= LRU_MAX_CHARS) break;
      this.#entries.delete(oldest);
      this.#size -= entry.size;
    }
  }

  delete(key: string) {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#size -= entry.size;
  }

  deleteWhere(match: (key: string) => boolean) {
    for (const key of [...this.#entries.keys()]) if (match(key)) this.delete(key);
  }
}

const lru = new Lru();

/** Counts per tier, so tests can tell a cache hit from a D1 read. */
export const cacheStats = { memory: 0, cacheApi: 0, loads: 0 };

export interface CacheScope {
  orgId: string;
  connectionId: string;
  head: Head;
}

const prefixOf = (orgId: string, connectionId: string) =>
  `${encodeURIComponent(orgId)}/${encodeURIComponent(connectionId)}/`;

const keyOf = (scope: CacheScope, part: string) =>
  `${prefixOf(scope.orgId, scope.connectionId)}${scope.head.snapshotId}/${scope.head.version}/${part}`;

/**
 * The value for `part` of the head snapshot, from the nearest tier that has it.
 * `part` must name everything the value depends on (e.g. `tables/public/<cursor>/100`).
 */
export async function cached<T>(scope: CacheScope, part: string, load: () => Promise<T>): Promise<T> {
  const hit = await peek<T>(scope, part);
  if (hit !== undefined) return hit;
  const key = keyOf(scope, part);
  const url = `${CACHE_ORIGIN}/${key}`;
  cacheStats.loads++;
  const value = await load();
  const text = JSON.stringify(value);
  lru.set(key, value, text.length);
  const response = new Response(text, {
    headers: {
      'content-type': 'application/json',
      'cache-control': `max-age=${SCHEMA_CACHE_TTL_MS / 1000}`,
    },
  });
  // The Cache API is an optimization: a failed put only means the next isolate reads D1.
  await cacheApi()
    ?.put(url, response)
    .catch(() => undefined);
  return value;
}

/**
 * The value for `part` of the head snapshot if a cache tier holds it, else undefined. For a
 * head about to be replaced (a sync diffing against it): what is loaded then is not worth storing.
 */
export async function peek<T>(scope: CacheScope, part: string): Promise<T | undefined> {
  const key = keyOf(scope, part);
  const hit = lru.get(key);
  if (hit !== undefined) {
    cacheStats.memory++;
    return hit as T;
  }
  const edge = await cacheApi()
    ?.match(`${CACHE_ORIGIN}/${key}`)
    .catch(() => undefined);
  if (!edge) return undefined;
  const text = await edge.text();
  cacheStats.cacheApi++;
  const value = JSON.parse(text) as T;
  lru.set(key, value, text.length);
  return value;
}

/** `caches.default` where the runtime has it (workerd); absent under plain Node tooling. */
function cacheApi(): Cache | undefined {
  return typeof caches === 'undefined' ? undefined : (caches as unknown as { default: Cache }).default;
}

/** Forgets this isolate's entries for a connection (other isolates miss by version). */
export function forgetConnection(orgId: string | undefined, connectionId: string) {
  let match: (key: string) => boolean;
  if (orgId) {
    const prefix = prefixOf(orgId, connectionId);
    match = (key) => key.startsWith(prefix);
  } else {
    // Built-in connections have one head per organization.
    const part = `/${encodeURIComponent(connectionId)}/`;
    match = (key) => key.includes(part);
  }
  lru.deleteWhere(match);
  heads.forgetWhere(match);
}

/** The caller's copy of a connection's head (null: never synced) and the connection's name. */
export interface OpenedHead {
  connectionName: string;
  head: Head | null;
}

/** Issue 17's bound: no isolate answers from a head read more than this long ago. */
export const HEAD_TTL_MS = 10_000;
const heads = new SwrCache<OpenedHead>(HEAD_TTL_MS, 5_000);
onConnectionChange((orgId, connectionId) => forgetConnection(orgId, connectionId));

/**
 * The head of `connectionId` for `orgId` from isolate memory, else `load()`'s. Callers that
 * find it missing or stale sync and call `forgetConnection`, so the next read is fresh.
 */
export function cachedHead(
  orgId: string,
  connectionId: string,
  load: () => Promise<OpenedHead>,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<OpenedHead> {
  return heads.get(prefixOf(orgId, connectionId), load, waitUntil);
}

/** For a batched request-start read (connections/preload.ts): see `SwrCache.prime`. */
export const headGeneration = () => heads.generation;
export const holdsHead = (orgId: string, connectionId: string) => heads.holds(prefixOf(orgId, connectionId));
export function primeHead(orgId: string, connectionId: string, value: OpenedHead, readAt: number): void {
  heads.prime(prefixOf(orgId, connectionId), value, readAt);
}

/**
 * Call after a DDL statement ran through Atrium on `connectionId`: the synced schema
 * is marked stale (the next read re-syncs before answering) and every cached read of
 * it stops matching. Pass `orgId` to limit it to one organization's copy.
 */
export async function invalidateSchema(env: Env, connectionId: string, orgId?: string): Promise<void> {
  await markStale(env.DB, connectionId, orgId, Date.now());
  forgetConnection(orgId, connectionId);
}

/** Forgets every schema read this isolate holds (the bench's cold-isolate mode, bench/geo). */
export function forgetAllSchemas(): void {
  lru.deleteWhere(() => true);
  heads.clear();
}
