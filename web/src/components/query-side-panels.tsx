import { createSignal, For, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { fetchHistory, type HistoryEntry } from '../api/history.ts';
import { deleteSavedQuery, fetchSavedQueries, type SavedQuery, saveQuery } from '../api/saved-queries.ts';
import { createLoader } from '../stores/loader.ts';

/** Dates cross the API as ISO 8601. */
const when = (iso: string) => new Date(iso).toLocaleString();

/** Recent executions (from D1 history); clicking one loads it into the editor. */
export function HistoryPanel(props: {
  connectionId: string | undefined;
  refreshKey: number;
  onPick: (sql: string) => void;
}) {
  const entries = createLoader(
    () => ({ id: props.connectionId, k: props.refreshKey }),
    ({ id }) => fetchHistory(id),
  );
  return (
    <div class="side-list" data-testid="history-panel">
      <Show when={!entries.error()} fallback={<p class="error-text">{describeError(entries.error())}</p>}>
        <Show
          when={(entries.value() ?? []).length > 0}
          fallback={<p class="subtle">No queries yet: run one with Ctrl/⌘ + Enter and it is listed here.</p>}
        >
          <For each={entries.value()}>
            {(entry: HistoryEntry) => (
              <button
                type="button"
                class="side-item"
                onClick={() => props.onPick(entry.statement)}
                title={entry.statement}
              >
                <code>{entry.statement.slice(0, 120)}</code>
                <span class="subtle">
                  <span classList={{ 'error-text': entry.outcome !== 'ok' }}>{entry.outcome}</span>
                  {` · ${entry.durationMs} ms`}
                  {entry.rowCount !== null ? ` · ${entry.rowCount} rows` : ''}
                  {entry.cached ? ' · cached' : ''} · {when(entry.startedAt)}
                </span>
              </button>
            )}
          </For>
        </Show>
      </Show>
    </div>
  );
}

/** The organization's saved queries for this connection; save the editor's text under a name. */
export function SavedQueriesPanel(props: {
  connectionId: string | undefined;
  currentSql: () => string;
  onPick: (sql: string) => void;
}) {
  const items = createLoader(
    () => props.connectionId ?? '',
    (id) => fetchSavedQueries(id || undefined),
  );
  const [name, setName] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);

  async function save(event: SubmitEvent) {
    event.preventDefault();
    const sql = props.currentSql().trim();
    if (!name().trim() || !sql) return;
    try {
      await saveQuery({ name: name().trim(), sql, connectionId: props.connectionId ?? null });
      setName('');
      setError(null);
      items.refetch();
    } catch (err) {
      setError(describeError(err));
    }
  }

  async function remove(item: SavedQuery) {
    try {
      await deleteSavedQuery(item.id);
      items.refetch();
    } catch (err) {
      setError(describeError(err));
    }
  }

  return (
    <div class="side-list" data-testid="saved-panel">
      <form class="row" onSubmit={save}>
        <input
          class="grow"
          placeholder="Save editor as…"
          aria-label="Saved query name"
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit" class="btn small">
          Save
        </button>
      </form>
      <Show when={error()}>
        <p class="error-text">{error()}</p>
      </Show>
      <Show when={!items.error()} fallback={<p class="error-text">{describeError(items.error())}</p>}>
        <For
          each={items.value()}
          fallback={
            <p class="subtle">Nothing saved yet: name the query in the editor above and press Save.</p>
          }
        >
          {(item) => (
            <div class="side-item row">
              <button type="button" class="link grow" onClick={() => props.onPick(item.sql)} title={item.sql}>
                <strong>{item.name}</strong>
                <code>{item.sql.slice(0, 80)}</code>
              </button>
              <button
                type="button"
                class="link danger"
                aria-label={`Delete ${item.name}`}
                onClick={() => remove(item)}
              >
                ✕
              </button>
            </div>
          )}
        </For>
      </Show>
    </div>
  );
}
