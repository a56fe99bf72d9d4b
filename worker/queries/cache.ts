import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Env } from '../env.ts';
import { sha256Hex } from '../lib/hash.ts';
import { uncounted } from '../lib/round-trips.ts';
import { querySettings } from '../meta/queries.ts';

export interface QuerySettings {
  cacheEnabled: boolean;
  cacheTtlSeconds: number;
}

export const DEFAULT_QUERY_SETTINGS: QuerySettings = { cacheEnabled: false, cacheTtlSeconds: 60 };

/**
 * Settings read in this isolate in the last few seconds. A change made here applies at once
 * (`writeQuerySettings` replaces the entry); other isolates see it within the TTL. Settings only
 * turn the result cache on or off, so a few seconds of delay elsewhere change no permission.
 */
const SETTINGS_TTL_MS = 10_000;
const MAX_SETTINGS = 10_000;
const recent = new Map<string, { settings: QuerySettings; until: number; refreshing?: boolean }>();
const settingsKey = (orgId: string, connectionId: string) => JSON.stringify([orgId, connectionId]);
/** Moves on every write here: settings read before a change in this isolate are not primed after it. */
let generation = 0;

/** For a batched request-start read (connections/preload.ts): settings read there, kept as `readQuerySettings` would. */
export const settingsGeneration = () => generation;
export const holdsQuerySettings = (orgId: string, connectionId: string) =>
  (recent.get(settingsKey(orgId, connectionId))?.until ?? 0) > Date.now();
export function primeQuerySettings(
  orgId: string,
  connectionId: string,
  row: typeof querySettings.$inferSelect | undefined,
  readAt: number,
): void {
  if (readAt !== generation || holdsQuerySettings(orgId, connectionId)) return;
  remember(orgId, connectionId, settingsOf(row));
}

const settingsOf = (row: typeof querySettings.$inferSelect | undefined): QuerySettings =>
  row ? { cacheEnabled: row.cacheEnabled, cacheTtlSeconds: row.cacheTtlSeconds } : DEFAULT_QUERY_SETTINGS;

function remember(orgId: string, connectionId: string, settings: QuerySettings): QuerySettings {
  if (recent.size >= MAX_SETTINGS) recent.clear();
  recent.set(settingsKey(orgId, connectionId), { settings, until: Date.now() + SETTINGS_TTL_MS });
  return settings;
}

/**
 * The settings, from this isolate when read in the last TTL. Past half of it they are re-read
 * after the response (`waitUntil`), so steady traffic never waits for D1 here (issue 17).
 */
export async function readQuerySettings(
  env: Env,
  orgId: string,
  connectionId: string,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<QuerySettings> {
  const hit = recent.get(settingsKey(orgId, connectionId));
  const now = Date.now();
  if (hit && hit.until > now) {
    if (waitUntil && !hit.refreshing && hit.until - now < SETTINGS_TTL_MS / 2) {
      hit.refreshing = true;
      const next = uncounted(() => loadQuerySettings(env, orgId, connectionId));
      waitUntil(
        next.then(
          (settings) => {
            // A write in this isolate meanwhile (writeQuerySettings) wins over this older read.
            if (recent.get(settingsKey(orgId, connectionId)) === hit) remember(orgId, connectionId, settings);
          },
          () => {},
        ),
      );
    }
    return hit.settings;
  }
  return remember(orgId, connectionId, await loadQuerySettings(env, orgId, connectionId));
}

async function loadQuerySettings(env: Env, orgId: string, connectionId: string): Promise<QuerySettings> {
  const [row] = await drizzle(env.DB)
    .select()
    .from(querySettings)
    .where(and(eq(querySettings.connectionId, connectionId), eq(querySettings.orgId, orgId)))
    .limit(1);
  return settingsOf(row);
}

export async function writeQuerySettings(
  env: Env,
  orgId: string,
  connectionId: string,
  settings: QuerySettings,
): Promise<QuerySettings> {
  const values = { connectionId, orgId, ...settings, updatedAt: Date.now() };
  await drizzle(env.DB)
    .insert(querySettings)
    .values(values)
    .onConflictDoUpdate({ target: [querySettings.orgId, querySettings.connectionId], set: values });
  generation++;
  return remember(orgId, connectionId, { ...settings });
}

/**
 * The Cache API wants a URL; this one is never fetched. Organization,
 * connection, statements, parameters and row limit are all in the key, so two
 * requests share an entry only when they would run the identical read.
 */
async function cacheKey(orgId: string, connectionId: string, input: unknown): Promise<Request> {
  const hash = await sha256Hex(JSON.stringify([orgId, connectionId, input]));
  return new Request(`https://query-cache.atrium.invalid/${encodeURIComponent(connectionId)}/${hash}`);
}

/** Identical read-only results for `ttl` seconds, through the colo-local Cache API. */
export class ResultCache {
  #cache: Promise<Cache> | undefined;

  #open(): Promise<Cache> {
    this.#cache ??= caches.open('atrium-query-results');
    return this.#cache;
  }

  async get<T>(orgId: string, connectionId: string, input: unknown): Promise<T | null> {
    const hit = await (await this.#open()).match(await cacheKey(orgId, connectionId, input));
    return hit ? ((await hit.json()) as T) : null;
  }

  async put(
    orgId: string,
    connectionId: string,
    input: unknown,
    value: unknown,
    ttlSeconds: number,
  ): Promise<void> {
    const response = new Response(JSON.stringify(value), {
      headers: { 'content-type': 'application/json', 'cache-control': `max-age=${ttlSeconds}` },
    });
    await (await this.#open()).put(await cacheKey(orgId, connectionId, input), response);
  }
}

/** Forgets every query setting this isolate holds (the bench's cold-isolate mode, bench/geo). */
export function forgetQuerySettings(): void {
  generation++;
  recent.clear();
}
