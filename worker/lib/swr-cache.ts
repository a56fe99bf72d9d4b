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
  /** Moves on every forget: a value read before a change in this isolate is not primed after it. */
  #generation = 0;

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

  /** Pass to `prime` what this returned before the read began. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Stores a value read elsewhere (one batched read that fills several caches, e.g. a cold
   * request's metadata), unless the key is already held or something was forgotten since
   * `readAt`: a read that began before a change in this isolate is never kept after it.
   */
  prime(key: string, value: T, readAt: number): void {
    if (readAt !== this.#generation) return;
    const hit = this.#entries.get(key);
    if (hit && hit.until > Date.now()) return;
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#remember(key, Promise.resolve(value));
  }

  /** True when `key` is held and within its TTL (a `get` would not wait). */
  holds(key: string): boolean {
    const hit = this.#entries.get(key);
    return !!hit && hit.until > Date.now();
  }

  forget(key: string): void {
    this.#generation++;
    this.#entries.delete(key);
  }

  forgetWhere(match: (key: string) => boolean): void {
    this.#generation++;
    for (const key of [...this.#entries.keys()]) if (match(key)) this.#entries.delete(key);
  }

  clear(): void {
    this.#generation++;
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
