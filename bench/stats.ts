/** Summary statistics for a list of samples (milliseconds or any unit). */
export interface Summary {
  n: number;
  median: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return {
    n: sorted.length,
    median: at(0.5),
    p50: at(0.5),
    p99: at(0.99),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}

/** Times `fn` `runs` times after `warmup` unmeasured calls; returns milliseconds per call. */
export async function sample(fn: () => Promise<unknown>, runs: number, warmup = Math.min(5, runs)) {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
