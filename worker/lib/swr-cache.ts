import { uncounted } from './round-trips.ts';

/**
 * The isolate-cache rule of issue 17, for reads that are not secrets (schema heads, the
 * dashboard): an entry is served for at most `ttlMs` after it was loaded; past half of that
 * it is still served and re-loaded after the response (`waitUntil`), so steady traffic never
 * waits for D1. A change made in this isolate calls `forget`, which also discards a re-load
 * already under way, so the isolate that made a change never answers from before it; other
 * isolates see it within `ttlMs`. Concurrent callers share one load; a failed load is not kept.
 */
export class SwrCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, maxEntries: number) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  get(key: string, load: () => Promise<T>, waitUntil?: (promise: Promise<unknown>) => void): Promise<T> {
    const now = Date.now();
    const hit = this.#entries.get(key);
    if (hit && hit.until > now) {
      if (waitUntil && !hit.refreshing && now - hit.loadedAt > this.#ttlMs / 2) {
        hit.refreshing = true;
        // The re-load runs after the response: it is not a round trip this request waited for.
        const next = uncounted(load);
        waitUntil(
          next.then(
            () => {
              if (this.#entries.get(key) === hit) this.#remember(key, next);
            },
            () => {
              if (this.#entries.get(key) === hit) this.#entries.delete(key);
            },
          ),
        );
      }
      return hit.value;
    }
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    const value = load();
    this.#remember(key, value);
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    return value;
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }

  forgetWhere(match: (key: string) => boolean): void {
    for (const key of [...this.#entries.keys()]) if (match(key)) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  #remember(key: string, value: Promise<T>) {
    const now = Date.now();
    this.#entries.set(key, { value, until: now + this.#ttlMs, loadedAt: now, refreshing: false });
  }
}

interface Entry<T> {
  value: Promise<T>;
  until: number;
  loadedAt: number;
  refreshing: boolean;
}
