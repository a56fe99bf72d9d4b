import { For, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { schemaApi } from '../api/schema.ts';
import { createLoader } from '../stores/loader.ts';

/** "just now", "5 min ago", "3 h ago", else the local date; dates cross the API as ISO 8601. */
export const ago = (t: string | null) => {
  if (t === null) return 'never';
  const ms = Date.now() - new Date(t).getTime();
  if (ms < 60_000) return 'just now';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h ago`;
  return new Date(t).toLocaleString();
};

/** The Browser's History tab: each recorded schema change, newest first, with its diff. */
export default function SchemaHistory(props: { connectionId: string; reloadKey: number }) {
  const history = createLoader(
    () => ({ id: props.connectionId, k: props.reloadKey }),
    ({ id }) => schemaApi.history(id),
  );
  return (
    <Show when={!history.error()} fallback={<p class="alert error">{describeError(history.error())}</p>}>
      <ul class="schema-history" data-testid="schema-history">
        <For
          each={history.value()?.items ?? []}
          fallback={
            <li class="subtle">No schema changes recorded yet: each Sync that finds one adds it here.</li>
          }
        >
          {(change) => (
            <li>
              <strong>{ago(change.syncedAt)}</strong> <span>{change.summary ?? ''}</span>
              <details>
                <summary class="subtle">diff</summary>
                <pre class="mono">{JSON.stringify(change.diff, null, 2)}</pre>
              </details>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
