import { For } from 'solid-js';
import { useStore } from '../stores/index.tsx';

export function ToastList() {
  const { toasts } = useStore();
  return (
    <div class="toasts" role="status" aria-live="polite">
      <For each={toasts.list}>
        {(t) => (
          <div class={`toast ${t.kind}`}>
            <span class="grow">{t.message}</span>
            <button
              type="button"
              class="ghost small"
              aria-label="Dismiss"
              onClick={() => toasts.dismiss(t.id)}
            >
              ×
            </button>
          </div>
        )}
      </For>
    </div>
  );
}
