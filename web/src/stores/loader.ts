import { createEffect, createSignal, on } from 'solid-js';

/**
 * createResource without Suspense: pages mounted by a router navigation read it
 * while that navigation's transition is still open, and a Suspense-tracked read
 * there held the page on its fallback. Stale answers (an older source) are dropped.
 */
export function createLoader<S, T>(
  source: () => S | undefined | null | false,
  fetcher: (s: S) => Promise<T>,
) {
  const [value, setValue] = createSignal<T | undefined>(undefined);
  const [error, setError] = createSignal<unknown>(undefined);
  const [loading, setLoading] = createSignal(false);
  let generation = 0;
  const run = (s: S | undefined | null | false) => {
    const mine = ++generation;
    setError(undefined);
    if (s === undefined || s === null || s === false) {
      setValue(undefined);
      setLoading(false);
      return;
    }
    setLoading(true);
    fetcher(s).then(
      (v) => {
        if (mine !== generation) return;
        setValue(() => v);
        setLoading(false);
      },
      (e) => {
        if (mine !== generation) return;
        setError(() => e);
        setLoading(false);
      },
    );
  };
  let last: S | undefined | null | false;
  createEffect(
    on(source, (s) => {
      last = s;
      run(s);
    }),
  );
  return { value, error, loading, refetch: () => run(last) };
}
