import { useNavigate, useParams } from '@solidjs/router';
import { createMemo, createSignal, Show } from 'solid-js';
import type { EngineName } from '../api/types.ts';
import ConnectionPicker from '../components/connection-picker.tsx';
import ExportButtons from '../components/export-button.tsx';
import { HistoryPanel, SavedQueriesPanel } from '../components/query-side-panels.tsx';
import ResultsPanel from '../components/results-panel.tsx';
import SqlEditor, { type SqlEditorHandle } from '../components/sql-editor.tsx';
import '../components/data-pages.css';
import { useStore } from '../stores/index.tsx';
import { createQueryRunner } from '../stores/query-runner.ts';
import { createCompletionSchema } from '../stores/schema.ts';

const DRAFT_KEY = 'atrium.query.draft';

export default function QueryPage() {
  const params = useParams<{ connectionId?: string }>();
  const navigate = useNavigate();
  const store = useStore();
  const runner = createQueryRunner();
  const [readOnly, setReadOnly] = createSignal(false);
  const [maxRows, setMaxRows] = createSignal(1000);
  const [side, setSide] = createSignal<'history' | 'saved'>('history');
  const [historyKey, setHistoryKey] = createSignal(0);
  const [lastSql, setLastSql] = createSignal<string | null>(null);
  let editor: SqlEditorHandle | undefined;

  const connection = createMemo(() =>
    params.connectionId ? store.connections.byId(params.connectionId) : undefined,
  );
  const engine = (): EngineName => connection()?.engine ?? 'postgres';
  const completion = createCompletionSchema(() => params.connectionId);

  async function run(sql: string) {
    const id = params.connectionId;
    if (!id || !sql.trim()) return;
    setLastSql(sql);
    await runner.run(id, { sql, maxRows: maxRows(), readOnly: readOnly() });
    setHistoryKey((k) => k + 1);
  }

  const runSelectionOrAll = () => {
    if (!editor) return;
    const picked = editor.selection();
    void run(picked.trim() ? picked : editor.text());
  };

  return (
    <div class="data-page query-page">
      <header class="page-head">
        <h1>Query</h1>
        <ConnectionPicker
          value={params.connectionId}
          onChange={(id) => navigate(`/query/${encodeURIComponent(id)}`)}
        />
      </header>
      <Show
        when={params.connectionId}
        fallback={<p class="empty">Choose a connection to start writing SQL.</p>}
      >
        <div class="query-layout">
          <div class="query-main">
            <div class="toolbar">
              <Show
                when={!runner.running()}
                fallback={
                  <button type="button" class="btn" onClick={runner.cancel}>
                    Cancel
                  </button>
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
                  checked={readOnly()}
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
              engine={engine()}
              schema={completion.namespace()}
              defaultSchema={completion.defaultSchema()}
              initialText={localStorage.getItem(DRAFT_KEY) ?? 'SELECT 1;'}
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
              elapsedMs={runner.elapsedMs()}
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
