import { createSignal, onCleanup, Show } from 'solid-js';
import { formatElapsed, type LongTask } from '../stores/long-task.ts';

/**
 * While a long task runs: a spinner, what it is doing, the elapsed time (a `timer`, which screen
 * readers do not announce on every tick), the progress when known, and Cancel, which aborts the task's
 * signal (what that stops on the server is for the caller to say in `cancelLabel`/`cancelTitle`).
 */
export default function LongTaskStatus(props: {
  task: LongTask;
  label: string;
  /** "Stop waiting" where cancelling drops the request but the server finishes the work anyway. */
  cancelLabel?: string;
  /** What cancelling does here, as the button's tooltip. */
  cancelTitle?: string;
  /** Stay hidden for work that usually ends sooner (a page of rows), so it does not flicker. */
  showAfterMs?: number;
  testId?: string;
}) {
  const percent = () => {
    const p = props.task.progress();
    return p === null ? null : Math.round(p * 100);
  };
  return (
    <Show when={props.task.running() && (props.task.elapsedMs() ?? 0) >= (props.showAfterMs ?? 0)}>
      <span class="long-task" data-testid={props.testId ?? 'long-task'}>
        <span class="spinner" aria-hidden="true" />
        <span role="status">{props.label}…</span>
        <Show when={percent() !== null}>
          <progress max={100} value={percent() ?? 0} aria-label={`${props.label} progress`} />
          <span>{percent()}%</span>
        </Show>
        <span role="timer" aria-label="Elapsed time" class="mono" data-testid="elapsed">
          {formatElapsed(props.task.elapsedMs() ?? 0)}
        </span>
        <button type="button" class="btn small" title={props.cancelTitle} onClick={() => props.task.cancel()}>
          {props.cancelLabel ?? 'Cancel'}
        </button>
      </span>
    </Show>
  );
}

/** Time since `at` (epoch ms), ticking: for work another person started (a document's shared run). */
export function ElapsedSince(props: { at: number }) {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), 1000);
  onCleanup(() => clearInterval(timer));
  return (
    <span role="timer" aria-label="Elapsed time" data-testid="elapsed">
      {formatElapsed(Math.max(0, now() - props.at))}
    </span>
  );
}
