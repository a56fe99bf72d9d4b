/**
 * The isolate-cache rule (worker/lib/swr-cache.ts): served fresh for half the TTL, re-loaded
 * after the response past that, never served past the TTL, and `forget` beats a re-load that
 * was already under way.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SwrCache } from '../../../worker/lib/swr-cache.ts';

let now = 1_000_000;
vi.spyOn(Date, 'now').mockImplementation(() => now);
afterEach(() => {
  now += 1_000_000;
});

/** A loader returning 1, 2, 3… so each answer says which load produced it. */
function counter() {
  let n = 0;
  return { load: async () => ++n, loads: () => n };
}

describe('SwrCache', () => {
  it('serves one load until half the TTL, then re-loads after the response', async () => {
    const cache = new SwrCache<number>(10_000, 10);
    const { load, loads } = counter();
    const later: Promise<unknown>[] = [];
    const waitUntil = (p: Promise<unknown>) => void later.push(p);
    expect(await cache.get('k', load, waitUntil)).toBe(1);
    now += 4_000;
    expect(await cache.get('k', load, waitUntil)).toBe(1);
    expect(later).toHaveLength(0);
    now += 2_000;
    // Past half the TTL: still the old answer, the re-load runs in waitUntil.
    expect(await cache.get('k', load, waitUntil)).toBe(1);
    expect(later).toHaveLength(1);
    await Promise.all(later);
    expect(await cache.get('k', load, waitUntil)).toBe(2);
    expect(loads()).toBe(2);
  });

  it('never serves an answer older than the TTL', async () => {
    const cache = new SwrCache<number>(10_000, 10);
    const { load } = counter();
    expect(await cache.get('k', load)).toBe(1);
    now += 10_000;
    expect(await cache.get('k', load)).toBe(2);
  });

  it('forget drops the entry and discards a re-load already under way', async () => {
    const cache = new SwrCache<number>(10_000, 10);
    const { load } = counter();
    const later: Promise<unknown>[] = [];
    await cache.get('k', load, (p) => void later.push(p));
    now += 6_000;
    await cache.get('k', load, (p) => void later.push(p));
    cache.forget('k');
    await Promise.all(later);
    // The re-load (2) started before the change must not come back: the next read loads anew.
    expect(await cache.get('k', load)).toBe(3);
  });

  it('does not keep a failed load', async () => {
    const cache = new SwrCache<number>(10_000, 10);
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await Promise.resolve();
    expect(await cache.get('k', async () => 7)).toBe(7);
  });

  it('keeps a primed value, unless something was forgotten since its read began', async () => {
    const cache = new SwrCache<number>(10_000, 10);
    const { load, loads } = counter();
    cache.prime('k', 7, cache.generation);
    expect(cache.holds('k')).toBe(true);
    expect(await cache.get('k', load)).toBe(7);
    expect(loads()).toBe(0);

    // A read that began before a change in this isolate is not kept after it.
    const readAt = cache.generation;
    cache.forget('other');
    cache.prime('j', 7, readAt);
    expect(cache.holds('j')).toBe(false);
    expect(await cache.get('j', load)).toBe(1);
  });
});
