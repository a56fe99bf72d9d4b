import { For, Show } from 'solid-js';
import { useStore } from '../stores/index.tsx';

export function ToastList() {
  const { toasts } = useStore();
  return (
    <div class="toasts" role="status" aria-live="polite">
      <For each={toasts.list}>
        {(t) => (
          <div class={`toast ${t.kind}`} data-testid="toast">
            <span class="grow">
              {t.message}
              <Show when={t.requestId}>
                {(id) => (
                  <span class="request-id">
                    {' '}
                    request <code data-testid="toast-request-id">{id()}</code>
                  </span>
                )}
              </Show>
            </span>
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
