import { createSignal, onCleanup } from 'solid-js';

/** How a run of a long task ended. `superseded`: a newer run of the same task replaced it. */
export type TaskOutcome<T> =
  | { status: 'done'; value: T }
  | { status: 'failed'; error: unknown }
  | { status: 'cancelled' }
  | { status: 'superseded' };

/** Reports a known fraction of the work (0..1), e.g. the bytes of an upload sent so far. */
export type ReportProgress = (fraction: number) => void;

const TICK_MS = 100;

/**
 * One operation that may take a while (a query, a schema sync, an import): it knows when it
 * started, ticks an elapsed time while it runs, holds the latest known progress, and cancels by
 * aborting the signal handed to the work — for a fetch, that drops the request, and the Worker
 * stops waiting on the database (no engine can cancel a statement already sent; see capabilities).
 * Starting it again aborts the run in flight. Cleans up with the component that created it.
 */
export function createLongTask() {
  const [startedAt, setStartedAt] = createSignal<number | null>(null);
  const [now, setNow] = createSignal(0);
  const [progress, setProgress] = createSignal<number | null>(null);
  const [lastMs, setLastMs] = createSignal<number | null>(null);
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let cancelled = false;

  const stopClock = () => {
    clearInterval(timer);
    timer = undefined;
  };

  async function run<T>(
    work: (signal: AbortSignal, report: ReportProgress) => Promise<T>,
  ): Promise<TaskOutcome<T>> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    cancelled = false;
    const started = performance.now();
    setStartedAt(started);
    setNow(started);
    setProgress(null);
    stopClock();
    timer = setInterval(() => setNow(performance.now()), TICK_MS);
    const report: ReportProgress = (fraction) => {
      if (controller === mine) setProgress(Math.min(1, Math.max(0, fraction)));
    };
    try {
      const value = await work(mine.signal, report);
      if (controller !== mine) return { status: 'superseded' };
      return { status: 'done', value };
    } catch (error) {
      if (controller !== mine) return { status: 'superseded' };
      if (mine.signal.aborted && cancelled) return { status: 'cancelled' };
      return { status: 'failed', error };
    } finally {
      if (controller === mine) {
        controller = null;
        stopClock();
        setLastMs(Math.round(performance.now() - started));
        setStartedAt(null);
      }
    }
  }

  function cancel() {
    if (!controller) return;
    cancelled = true;
    controller.abort();
  }

  onCleanup(() => {
    cancel();
    stopClock();
  });

  return {
    run,
    cancel,
    running: () => startedAt() !== null,
    /** Milliseconds since the run in flight started; the last run's total when idle. */
    elapsedMs: () => {
      const start = startedAt();
      return start === null ? lastMs() : Math.max(0, Math.round(now() - start));
    },
    /** 0..1 when the work reports it (uploads), else null. */
    progress,
  };
}

export type LongTask = ReturnType<typeof createLongTask>;

/** `0.4 s`, `12.3 s`, `2:05` — precise enough to see it move, short enough to read at a glance. */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
