import { DurableObject } from 'cloudflare:workers';

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  /** Seconds until the current window ends (0 when allowed). */
  retryAfter: number;
}

/** Hits handed to one Worker isolate to spend without asking again (worker/middleware/rate-lease.ts). */
export interface RateLease {
  granted: number;
  /** When the window the hits belong to closes (epoch ms); they are void after it. */
  until: number;
  /** Seconds until the window ends, when nothing was granted. */
  retryAfter: number;
}

interface Window {
  start: number;
  count: number;
  windowMs: number;
}

/**
 * Windows at most this long live only in memory. Cloudflare evicts an object after it has been
 * idle for over a minute (70–140 s), and a window this short has closed by then, so losing it
 * loses nothing; a storage write per hit would make every reply wait for durability.
 */
const MEMORY_ONLY_WINDOW_MS = 60_000;

/**
 * One object per limited key (`sign-in:ip:…`, `token:…`). A window opens at the
 * first hit and lasts `windowSeconds`, so a test's burst never straddles a
 * boundary. A Durable Object runs one call at a time, so the read-increment
 * is atomic without a transaction. The count is answered from memory; only long
 * windows (sign-in and sign-up failures, 15 minutes) are also written to the
 * synchronous KV store, so an eviction in the middle cannot hand out fresh guesses,
 * and an alarm wipes them when the window ends so idle keys cost nothing.
 */
// It reads no bindings, so it names none (and the Worker's Env need not import back from here).
export class RateLimiter extends DurableObject<Record<string, never>> {
  #window: Window | undefined;
  #loaded = false;

  #current(now: number): Window | undefined {
    if (!this.#loaded) {
      this.#loaded = true;
      this.#window ??= this.ctx.storage.kv.get<Window>('window');
    }
    const w = this.#window;
    return w && now < w.start + w.windowMs ? w : undefined;
  }

  /** The running window, or a new one from `now` when none runs (`opened`: it must be persisted with an alarm). */
  #open(now: number, windowSeconds: number): { window: Window; opened: boolean } {
    const running = this.#current(now);
    if (running) return { window: running, opened: false };
    this.#window = { start: now, count: 0, windowMs: windowSeconds * 1000 };
    return { window: this.#window, opened: true };
  }

  #persist(window: Window, opened: boolean): void {
    if (window.windowMs <= MEMORY_ONLY_WINDOW_MS) return;
    this.ctx.storage.kv.put('window', window);
    if (opened) void this.ctx.storage.setAlarm(window.start + window.windowMs);
  }

  hit(limit: number, windowSeconds: number): RateLimitResult {
    const now = Date.now();
    const { window, opened } = this.#open(now, windowSeconds);
    if (window.count >= limit) {
      return {
        allowed: false,
        remaining: 0,
        retryAfter: Math.ceil((window.start + window.windowMs - now) / 1000),
      };
    }
    window.count++;
    this.#persist(window, opened);
    return { allowed: true, remaining: limit - window.count, retryAfter: 0 };
  }

  /**
   * Counts up to `want` hits at once and hands them to the caller, which spends them from its
   * own memory: a busy key then costs one call per lease instead of one per request. Hits leased
   * but never spent are lost with their isolate, so the limit can only bite early, never late.
   */
  lease(limit: number, windowSeconds: number, want: number): RateLease {
    const now = Date.now();
    const { window, opened } = this.#open(now, windowSeconds);
    const until = window.start + window.windowMs;
    const granted = Math.max(0, Math.min(want, limit - window.count));
    window.count += granted;
    if (granted > 0) this.#persist(window, opened);
    return { granted, until, retryAfter: granted > 0 ? 0 : Math.ceil((until - now) / 1000) };
  }

  /**
   * Gives back one hit of the current window, for limits that count failures: the attempt is
   * counted up front (so parallel guesses cannot all slip past the check) and returned when it
   * succeeds.
   */
  refund(): void {
    const window = this.#current(Date.now());
    if (!window || window.count === 0) return;
    window.count--;
    this.#persist(window, false);
  }

  override async alarm(): Promise<void> {
    this.#window = undefined;
    await this.ctx.storage.deleteAll();
  }
}
