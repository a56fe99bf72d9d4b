import { createSignal, For, lazy, Match, Show, Switch } from 'solid-js';
import type { StatementResult } from '../api/queries.ts';
import { formatElapsed } from '../stores/long-task.ts';
import type { QueryFailure } from '../stores/query-runner.ts';
import ResultsGrid from './results-grid.tsx';

// uPlot only loads when someone opens the chart view.
const ChartView = lazy(() => import('./chart-view.tsx'));

function summary(result: StatementResult): string {
  if (result.columns.length === 0) {
    return result.affectedRows !== null ? `${result.affectedRows} affected` : (result.command ?? 'OK');
  }
  return `${result.rows.length}${result.truncated ? '+' : ''} rows`;
}

/** One tab per statement of the last run; each shows a grid or a chart. */
export default function ResultsPanel(props: {
  results: StatementResult[];
  failure: QueryFailure | null;
  running: boolean;
  elapsedMs: number | null;
  /** The last answer's request id, to quote when asking about it. */
  requestId?: string | undefined;
}) {
  const [active, setActive] = createSignal(0);
  const [view, setView] = createSignal<'grid' | 'chart'>('grid');
  const current = () => props.results[Math.min(active(), props.results.length - 1)];

  return (
    <section class="results-panel" aria-label="Results">
      <Show when={props.failure}>
        {(failure) => (
          <div class="alert error" role="alert" data-testid="query-error">
            <strong>{failure().code}</strong> {failure().message}
            <Show when={failure().position !== undefined}>
              <span class="subtle"> at character {failure().position}</span>
            </Show>
          </div>
        )}
      </Show>
      <Show when={props.results.length > 0} fallback={<ResultsEmpty running={props.running} />}>
        <div class="results-bar">
          <div class="result-tabs">
            <For each={props.results}>
              {(result, i) => (
                <button
                  type="button"
                  aria-pressed={i() === active()}
                  classList={{ active: i() === active() }}
                  onClick={() => setActive(i())}
                >
                  {props.results.length > 1 ? `${i() + 1}: ` : ''}
                  {summary(result)}
                  <span class="subtle"> · {result.durationMs} ms</span>
                  <Show when={result.cached}>
                    <span class="badge">cached</span>
                  </Show>
                </button>
              )}
            </For>
          </div>
          <Show when={!props.running && props.elapsedMs !== null}>
            <span class="subtle round-trip" data-testid="round-trip">
              {formatElapsed(props.elapsedMs ?? 0)} round trip
              <Show when={props.requestId}>
                {(id) => (
                  <>
                    {' · request '}
                    <code data-testid="result-request-id">{id()}</code>
                  </>
                )}
              </Show>
            </span>
          </Show>
          <fieldset class="segmented" aria-label="Result view">
            <button
              type="button"
              aria-pressed={view() === 'grid'}
              classList={{ active: view() === 'grid' }}
              onClick={() => setView('grid')}
            >
              Grid
            </button>
            <button
              type="button"
              aria-pressed={view() === 'chart'}
              classList={{ active: view() === 'chart' }}
              onClick={() => setView('chart')}
            >
              Chart
            </button>
          </fieldset>
        </div>
        <Show when={current()}>
          {(result) => (
            <>
              <Show when={result().notices.length > 0}>
                <ul class="notices">
                  <For each={result().notices}>{(n) => <li>{n}</li>}</For>
                </ul>
              </Show>
              <Switch>
                <Match when={result().columns.length === 0}>
                  <p class="statement-done">{summary(result())}</p>
                </Match>
                <Match when={view() === 'grid'}>
                  <ResultsGrid
                    columns={result().columns}
                    rows={result().rows}
                    truncated={result().truncated}
                  />
                </Match>
                <Match when={view() === 'chart'}>
                  <ChartView columns={result().columns} rows={result().rows} />
                </Match>
              </Switch>
            </>
          )}
        </Show>
      </Show>
    </section>
  );
}

function ResultsEmpty(props: { running: boolean }) {
  return (
    <p class="subtle results-empty">
      {props.running ? 'Running…' : 'Run a query with Ctrl/⌘ + Enter (runs the selection when there is one).'}
    </p>
  );
}
