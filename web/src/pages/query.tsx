import { A, useNavigate } from '@solidjs/router';
import { createEffect, createMemo, createSignal, onCleanup, Show } from 'solid-js';
import ConnectionPicker from '../components/connection-picker.tsx';
import ExportButtons from '../components/export-button.tsx';
import LongTaskStatus from '../components/long-task-status.tsx';
import { HistoryPanel, SavedQueriesPanel } from '../components/query-side-panels.tsx';
import ResultsPanel from '../components/results-panel.tsx';
import SqlEditor, { type SqlEditorHandle } from '../components/sql-editor.tsx';
import '../styles/data/page.css';
import '../styles/data/query.css';
import { onOpenSql, QUERY_DRAFT_KEY } from '../lib/open-sql.ts';
import { path, useRouteParams } from '../lib/paths.ts';
import { useStore } from '../stores/index.tsx';
import { exampleQuery, pickConnection, readLastPlace, rememberPlace } from '../stores/last-place.ts';
import { createQueryRunner } from '../stores/query-runner.ts';
import { createCompletionSchema } from '../stores/schema.ts';

const DRAFT_KEY = QUERY_DRAFT_KEY;

export default function QueryPage() {
  const params = useRouteParams<{ connectionId?: string }>();
  const navigate = useNavigate();
  const store = useStore();
  const runner = createQueryRunner();
  const [readOnly, setReadOnly] = createSignal(false);
  const [maxRows, setMaxRows] = createSignal(1000);
  const [side, setSide] = createSignal<'history' | 'saved'>('history');
  const [historyKey, setHistoryKey] = createSignal(0);
  const [lastSql, setLastSql] = createSignal<string | null>(null);
  let editor: SqlEditorHandle | undefined;
  // A saved query chosen in the command palette while this page is open.
  onCleanup(onOpenSql((sql) => editor?.setText(sql)));

  const connection = createMemo(() =>
    params.connectionId ? store.connections.byId(params.connectionId) : undefined,
  );
  const userId = () => store.session.me()?.user.id;
  const orgId = () => store.session.activeOrg()?.id;

  // No connection in the URL: reopen where the user was (or the only one, or the demo).
  createEffect(() => {
    if (params.connectionId || store.connections.loading()) return;
    const id = pickConnection(store.connections.list, readLastPlace(userId(), orgId()).connectionId);
    if (id) navigate(path`/query/${id}`, { replace: true });
  });
  createEffect(() => {
    if (connection()) rememberPlace(userId(), orgId(), { connectionId: connection()?.id });
  });
  const completion = createCompletionSchema(() => params.connectionId);

  async function run(sql: string) {
    const id = params.connectionId;
    if (!id || !sql.trim()) return;
    setLastSql(sql);
    // Built-ins are read-only for everyone; the API refuses `readOnly: false` on them.
    await runner.run(id, { sql, maxRows: maxRows(), readOnly: readOnly() || connection()?.builtin === true });
    setHistoryKey((k) => k + 1);
  }

  const runSelectionOrAll = () => {
    if (!editor) return;
    const picked = editor.selection();
    void run(picked.trim() ? picked : editor.text());
  };

  // Escape stops a running query from anywhere on the page (the editor keeps Escape otherwise),
  // unless it is closing something else first: an open dialog (the palette, the shortcuts sheet).
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.defaultPrevented || document.querySelector('dialog[open]')) return;
    if (e.key === 'Escape' && runner.running()) {
      e.preventDefault();
      runner.cancel();
    }
  };
  document.addEventListener('keydown', onKeyDown);
  onCleanup(() => document.removeEventListener('keydown', onKeyDown));

  return (
    <div class="data-page query-page">
      <header class="page-head">
        <h1>Query</h1>
        <ConnectionPicker value={params.connectionId} onChange={(id) => navigate(path`/query/${id}`)} />
      </header>
      <Show
        when={connection()}
        fallback={
          <p class="empty">
            {params.connectionId && !store.connections.loading()
              ? 'That connection is not available any more: choose another one'
              : 'Choose a connection to start writing SQL'}
            , or <A href="/connections/new">add a connection</A>.
          </p>
        }
      >
        <div class="query-layout">
          <div class="query-main">
            <div class="toolbar">
              <Show
                when={!runner.running()}
                fallback={
                  <LongTaskStatus
                    task={runner.task}
                    label="Running"
                    testId="query-progress"
                    cancelTitle={
                      connection()?.capabilities.cancel
                        ? 'Cancel (Esc): the database stops the statement'
                        : 'Cancel (Esc): stops waiting; this database finishes the statement on its own, within its timeout'
                    }
                  />
                }
              >
                <button
                  type="button"
                  class="btn primary"
                  onClick={runSelectionOrAll}
                  title="Ctrl/⌘ + Enter"
                  data-testid="run"
                >
                  ▶ Run
                </button>
                <button
                  type="button"
                  class="btn"
                  onClick={() => editor && void run(editor.text())}
                  title="Shift + Ctrl/⌘ + Enter"
                >
                  Run all
                </button>
              </Show>
              <button type="button" class="btn" onClick={() => void editor?.format()}>
                Format
              </button>
              <label class="check">
                <input
                  type="checkbox"
                  checked={readOnly() || connection()?.builtin === true}
                  disabled={connection()?.builtin === true}
                  onChange={(e) => setReadOnly(e.currentTarget.checked)}
                />{' '}
                Read-only
              </label>
              <label class="check">
                Max rows{' '}
                <select
                  value={maxRows()}
                  onChange={(e) => setMaxRows(Number(e.currentTarget.value))}
                  aria-label="Max rows"
                >
                  <option value={100}>100</option>
                  <option value={1000}>1,000</option>
                  <option value={10000}>10,000</option>
                </select>
              </label>
              <span class="grow" />
              <Show when={completion.tableCount() > 0}>
                <span class="subtle" title="Autocomplete knows these tables from the last sync">
                  {completion.tableCount()} tables in autocomplete
                </span>
              </Show>
              <ExportButtons
                connectionId={params.connectionId}
                source={() => {
                  const sql = lastSql() ?? editor?.text() ?? '';
                  return sql.trim() ? { sql } : null;
                }}
                filename="query-result"
              />
            </div>
            <SqlEditor
              engine={connection()?.engine}
              schema={completion.namespace()}
              defaultSchema={completion.defaultSchema()}
              initialText={localStorage.getItem(DRAFT_KEY) ?? exampleQuery(connection())}
              onChange={(text) => localStorage.setItem(DRAFT_KEY, text)}
              onRun={(sql) => void run(sql)}
              ref={(h) => {
                editor = h;
              }}
              class="query-editor"
            />
            <ResultsPanel
              results={runner.results()}
              failure={runner.failure()}
              running={runner.running()}
              elapsedMs={runner.answer()?.ms ?? null}
              requestId={runner.answer()?.requestId}
            />
          </div>
          <aside class="query-side">
            <div class="segmented">
              <button
                type="button"
                aria-pressed={side() === 'history'}
                classList={{ active: side() === 'history' }}
                onClick={() => setSide('history')}
              >
                History
              </button>
              <button
                type="button"
                aria-pressed={side() === 'saved'}
                classList={{ active: side() === 'saved' }}
                onClick={() => setSide('saved')}
              >
                Saved
              </button>
            </div>
            <Show
              when={side() === 'history'}
              fallback={
                <SavedQueriesPanel
                  connectionId={params.connectionId}
                  currentSql={() => editor?.text() ?? ''}
                  onPick={(sql) => editor?.setText(sql)}
                />
              }
            >
              <HistoryPanel
                connectionId={params.connectionId}
                refreshKey={historyKey()}
                onPick={(sql) => editor?.setText(sql)}
              />
            </Show>
          </aside>
        </div>
      </Show>
    </div>
  );
}
