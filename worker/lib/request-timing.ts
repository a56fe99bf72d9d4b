import { RoundTrips } from './round-trips.ts';

/** The phases an API response reports; each is summed over the request. */
export type Phase = 'auth' | 'limits' | 'metadata' | 'engine' | 'format';

/**
 * Milliseconds spent per phase of one request, sent back as `Server-Timing` so a slow phase
 * shows in the browser's network panel and in the bench. Phases that run in parallel (limits,
 * the connection's metadata) each report their own duration, so they may add up to more than
 * `total`. The Workers clock advances only across I/O (a Spectre mitigation), so pure CPU work
 * such as serializing a result reads as 0 in production; `wrangler dev` shows it.
 */
export class RequestTiming {
  readonly #started = performance.now();
  readonly #phases = new Map<Phase, number>();
  /** The request's calls to D1 and Durable Objects, and how many it waited for in sequence. */
  readonly roundTrips = new RoundTrips();

  add(phase: Phase, ms: number): void {
    this.#phases.set(phase, (this.#phases.get(phase) ?? 0) + ms);
  }

  /** Awaits `work`, adding its duration to `phase` whether it succeeds or fails. */
  async measure<T>(phase: Phase, work: Promise<T> | (() => Promise<T>)): Promise<T> {
    const t = performance.now();
    try {
      return await (typeof work === 'function' ? work() : work);
    } finally {
      this.add(phase, performance.now() - t);
    }
  }

  header(): string {
    const ms = (n: number) => Math.round(n * 10) / 10;
    this.roundTrips.freeze();
    return [...this.#phases, ['total', performance.now() - this.#started] as const]
      .map(([name, dur]) => `${name};dur=${ms(dur)}`)
      .concat(this.roundTrips.header())
      .join(', ');
  }
}
