import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../worker/env.ts';

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  /** Seconds until the current window ends (0 when allowed). */
  retryAfter: number;
}

interface Window {
  start: number;
  count: number;
}

/**
 * One object per limited key (`sign-in:ip:…`, `token:…`). A window opens at the
 * first hit and lasts `windowSeconds`, so a test's burst never straddles a
 * boundary. A Durable Object runs one call at a time, so the read-increment-write
 * is atomic without a transaction; state sits in the synchronous KV store and an
 * alarm wipes it when the window ends, so idle keys cost nothing.
 */
export class RateLimiter extends DurableObject<Env> {
  hit(limit: number, windowSeconds: number): RateLimitResult {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    let window = this.ctx.storage.kv.get<Window>('window');
    if (!window || now >= window.start + windowMs) {
      window = { start: now, count: 0 };
      void this.ctx.storage.setAlarm(now + windowMs);
    }
    if (window.count >= limit) {
      return { allowed: false, remaining: 0, retryAfter: Math.ceil((window.start + windowMs - now) / 1000) };
    }
    window.count++;
    this.ctx.storage.kv.put('window', window);
    return { allowed: true, remaining: limit - window.count, retryAfter: 0 };
  }

  /**
   * Gives back one hit of the current window, for limits that count failures: the attempt is
   * counted up front (so parallel guesses cannot all slip past the check) and returned when it
   * succeeds.
   */
  refund(): void {
    const window = this.ctx.storage.kv.get<Window>('window');
    if (!window || window.count === 0) return;
    window.count--;
    this.ctx.storage.kv.put('window', window);
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
