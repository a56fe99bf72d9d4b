/** Summary statistics for a list of samples (milliseconds or any unit). */
export interface Summary {
  n: number;
  median: number;
  p50: number;
  /** Interpolated 99th percentile; null when n < 100, where it would only be the maximum renamed. */
  p99: number | null;
  min: number;
  max: number;
}

/** The q-quantile of sorted samples, interpolated between the two nearest ranks (R type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (pos - lo);
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  return {
    n: sorted.length,
    median,
    p50: median,
    p99: sorted.length >= 100 ? quantile(sorted, 0.99) : null,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}

/** Times `fn` `runs` times after `warmup` unmeasured calls; returns milliseconds per call. */
export async function sample(fn: () => Promise<unknown>, runs: number, warmup = Math.min(5, runs)) {
  return (await sampleAlternating([fn], runs, warmup))[0] as number[];
}

/**
 * Times each of `fns` `runs` times, taking turns (a, b, a, b, …) so that a change in the
 * machine's load during the run hits Atrium and its reference alike. Warm-ups take turns too.
 */
export async function sampleAlternating(
  fns: readonly (() => Promise<unknown>)[],
  runs: number,
  warmup = Math.min(10, runs),
): Promise<number[][]> {
  for (let i = 0; i < warmup; i++) for (const fn of fns) await fn();
  const out = fns.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of fns.entries()) {
      const t = performance.now();
      await fn();
      out[k]?.push(performance.now() - t);
    }
  }
  return out;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
