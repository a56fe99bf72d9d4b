import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createEffect, createSignal, For, lazy, Match, on, Show, Switch } from 'solid-js';
import { ApiError, describeError, requestIdOf } from '../api/client.ts';
import ConnectionPicker from '../components/connection-picker.tsx';
import LongTaskStatus from '../components/long-task-status.tsx';
import SchemaHistory, { ago } from '../components/schema-history.tsx';
import SchemaTree, { type TreeSelection } from '../components/schema-tree.tsx';
import TableDetails from '../components/table-details.tsx';
import '../styles/data/page.css';
import '../styles/data/browser.css';
import { type SchemaNode, type SearchHit, schemaApi } from '../api/schema.ts';
import { path, useRouteParams } from '../lib/paths.ts';
import { useStore } from '../stores/index.tsx';
import { pickConnection, readLastPlace, rememberPlace } from '../stores/last-place.ts';
import { createLoader } from '../stores/loader.ts';
import { createLongTask } from '../stores/long-task.ts';
import { createSchemaWatch } from '../stores/schema-watch.ts';

const DataGrid = lazy(() => import('../components/data-grid.tsx'));
const ErdView = lazy(() => import('../components/erd-view.tsx'));

type Tab = 'details' | 'data' | 'erd' | 'history';

export default function BrowserPage() {
  const params = useRouteParams<{ connectionId?: string }>();
  const [search, setSearch] = useSearchParams<{ schema?: string; table?: string; tab?: Tab }>();
  const navigate = useNavigate();
  const [schemas, setSchemas] = createSignal<SchemaNode[]>([]);
  const [schemaCursor, setSchemaCursor] = createSignal<string | null>(null);
  const [syncedAt, setSyncedAt] = createSignal<string | null>(null);
  const [treeKey, setTreeKey] = createSignal(0);
  const syncTask = createLongTask();
  const [notice, setNotice] = createSignal<{
    kind: 'error' | 'success';
    text: string;
    requestId?: string;
  } | null>(null);
  const [q, setQ] = createSignal('');
  const [hits, setHits] = createSignal<SearchHit[]>([]);

  const watch = createSchemaWatch(() => params.connectionId);
  const store = useStore();
  const userId = () => store.session.me()?.user.id;
  const orgId = () => store.session.activeOrg()?.id;

  // No connection in the URL: reopen the last connection, table and tab (or the only one, or the demo).
  createEffect(() => {
    if (params.connectionId || store.connections.loading()) return;
    const last = readLastPlace(userId(), orgId());
    const id = pickConnection(store.connections.list, last.connectionId);
    if (!id) return;
    const sameAsLast = id === last.connectionId && last.schema && last.table;
    const query = sameAsLast
      ? `?${new URLSearchParams({ schema: last.schema ?? '', table: last.table ?? '', tab: last.tab ?? 'details' })}`
      : '';
    navigate(`${path`/browser/${id}`}${query}`, { replace: true });
  });
  createEffect(() => {
    const id = params.connectionId;
    if (id)
      rememberPlace(userId(), orgId(), {
        connectionId: id,
        schema: search.schema,
        table: search.table,
        tab: search.tab,
      });
  });

  const tab = (): Tab => search.tab ?? (search.table ? 'details' : 'erd');
  const selected = (): TreeSelection | null =>
    search.schema && search.table ? { schema: search.schema, table: search.table } : null;

  async function loadOverview(cursor?: string) {
    const id = params.connectionId;
    if (!id) return;
    try {
      const overview = await schemaApi.overview(id, cursor);
      setSyncedAt(overview.syncedAt);
      setSchemas((list) => (cursor ? [...list, ...overview.schemas.items] : overview.schemas.items));
      setSchemaCursor(overview.schemas.nextCursor);
    } catch (err) {
      setNotice({ kind: 'error', text: describeError(err) });
    }
  }

  createEffect(
    on([() => params.connectionId, treeKey], ([, key], previous) => {
      setSchemas([]);
      // A re-read after Sync keeps the sync's notice; a new connection starts clean.
      if (!previous || previous[1] === key) setNotice(null);
      void loadOverview();
    }),
  );

  async function sync() {
    const id = params.connectionId;
    if (!id) return;
    setNotice(null);
    const outcome = await syncTask.run((signal) => schemaApi.sync(id, signal));
    if (outcome.status === 'done') {
      const result = outcome.value;
      watch.seen(result.snapshotId);
      setNotice({
        kind: 'success',
        text: `Synced ${result.tableCount} tables in ${Math.round(result.totalMs)} ms${result.changed ? ' — schema changed' : ''}.`,
        requestId: requestIdOf(result),
      });
      setTreeKey((k) => k + 1);
    } else if (outcome.status === 'failed') {
      const err = outcome.error;
      setNotice({
        kind: 'error',
        text: err instanceof ApiError ? err.message : describeError(err),
        requestId: err instanceof ApiError ? err.requestId : undefined,
      });
    } else if (outcome.status === 'cancelled') {
      setNotice({
        kind: 'success',
        text: 'Stopped waiting: the sync finishes on the server, and Reload shows it.',
      });
    }
  }

  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  function onSearch(text: string) {
    setQ(text);
    clearTimeout(searchTimer);
    const id = params.connectionId;
    if (!id || text.trim().length < 2) {
      setHits([]);
      return;
    }
    searchTimer = setTimeout(async () => {
      try {
        setHits((await schemaApi.search(id, text.trim())).items);
      } catch (err) {
        setNotice({ kind: 'error', text: describeError(err) });
      }
    }, 200);
  }

  const open = (schema: string, table: string, nextTab: Tab = 'details') => {
    setHits([]);
    setSearch({ schema, table, tab: nextTab });
  };

  const detail = createLoader(
    () => {
      const sel = selected();
      return params.connectionId && sel ? { id: params.connectionId, ...sel, k: treeKey() } : undefined;
    },
    ({ id, schema, table }) => schemaApi.table(id, schema, table),
  );
  const erd = createLoader(
    () => (params.connectionId && tab() === 'erd' ? { id: params.connectionId, k: treeKey() } : undefined),
    ({ id }) => schemaApi.erd(id),
  );

  return (
    <div class="data-page browser-page">
      <header class="page-head">
        <h1>Browser</h1>
        <ConnectionPicker value={params.connectionId} onChange={(id) => navigate(path`/browser/${id}`)} />
        <Show when={params.connectionId}>
          <div class="search-box">
            <input
              type="search"
              placeholder="Search schemas, tables, columns…"
              aria-label="Search schema"
              value={q()}
              onInput={(e) => onSearch(e.currentTarget.value)}
            />
            <Show when={hits().length > 0}>
              <ul class="search-hits">
                <For each={hits()}>
                  {(hit) => (
                    <li>
                      <button
                        type="button"
                        onClick={() => hit.table && open(hit.schema, hit.table)}
                        disabled={!hit.table}
                      >
                        <span class="mark">{hit.kind}</span> {hit.schema}
                        {hit.table ? `.${hit.table}` : ''}
                        {hit.column ? `.${hit.column}` : ''}
                        {hit.object ? `.${hit.object}` : ''}
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </div>
          <span class="subtle" data-testid="synced-at">
            Synced {ago(syncedAt())}
          </span>
          <Show
            when={syncTask.running()}
            fallback={
              <button type="button" class="btn primary" onClick={sync} data-testid="sync">
                Sync
              </button>
            }
          >
            <LongTaskStatus
              task={syncTask}
              label="Syncing"
              cancelLabel="Stop waiting"
              cancelTitle="The sync still finishes on the server; Reload shows it"
              testId="sync-progress"
            />
          </Show>
        </Show>
      </header>
      <Show when={notice()}>
        {(n) => (
          <p
            class={`alert ${n().kind}`}
            role={n().kind === 'error' ? 'alert' : 'status'}
            data-testid="browser-notice"
          >
            {n().text}
            <Show when={n().requestId}>
              {(rid) => (
                <span class="subtle">
                  {' '}
                  (request <code>{rid()}</code>)
                </span>
              )}
            </Show>
          </p>
        )}
      </Show>
      <Show when={watch.changed()}>
        <p class="alert row" role="status" data-testid="schema-changed-banner">
          <span class="grow">Schema changed — someone synced this connection since you opened it.</span>
          <button
            type="button"
            class="btn small primary"
            onClick={() => {
              watch.seen(null);
              setTreeKey((k) => k + 1);
            }}
          >
            Reload
          </button>
        </p>
      </Show>
      <Show
        when={params.connectionId}
        fallback={
          <p class="empty">
            Choose a connection to browse its schema, or <A href="/connections/new">add a connection</A>.
          </p>
        }
      >
        {(id) => (
          <div class="browser-layout">
            <nav class="browser-tree">
              <Show when={treeKey() >= 0} keyed>
                <SchemaTree
                  connectionId={id()}
                  schemas={schemas()}
                  hasMoreSchemas={schemaCursor() !== null}
                  onMoreSchemas={() => void loadOverview(schemaCursor() ?? undefined)}
                  selected={selected()}
                  onSelect={(s) => open(s.schema, s.table, tab() === 'data' ? 'data' : 'details')}
                />
              </Show>
            </nav>
            <section class="browser-main">
              <div class="segmented browser-tabs">
                <For
                  each={
                    [
                      ['details', 'Details'],
                      ['data', 'Data'],
                      ['erd', 'ER diagram'],
                      ['history', 'History'],
                    ] as const
                  }
                >
                  {([value, label]) => (
                    <button
                      type="button"
                      aria-pressed={tab() === value}
                      classList={{ active: tab() === value }}
                      disabled={(value === 'details' || value === 'data') && !selected()}
                      onClick={() => setSearch({ tab: value })}
                    >
                      {label}
                    </button>
                  )}
                </For>
                <Show when={selected()}>
                  {(sel) => (
                    <span class="mono selected-name">
                      {sel().schema}.{sel().table}
                    </span>
                  )}
                </Show>
              </div>
              <Switch>
                <Match when={tab() === 'details' && selected()}>
                  <Show
                    when={!detail.error()}
                    fallback={<p class="alert error">{describeError(detail.error())}</p>}
                  >
                    <Show when={detail.value()} fallback={<p class="subtle">Loading…</p>}>
                      {(d) => <TableDetails detail={d()} onOpenTable={(s, t) => open(s, t)} />}
                    </Show>
                  </Show>
                </Match>
                <Match when={tab() === 'data' && selected()}>
                  {(sel) => (
                    <DataGrid
                      connectionId={id()}
                      schema={sel().schema}
                      table={sel().table}
                      // Built-ins are read-only for everyone (the API answers 403 read_only_connection).
                      readOnly={store.connections.byId(id())?.builtin !== false}
                      identifierQuote={store.connections.byId(id())?.capabilities.identifierQuote}
                    />
                  )}
                </Match>
                <Match when={tab() === 'erd'}>
                  <Show
                    when={!erd.error()}
                    fallback={<p class="alert error">{describeError(erd.error())}</p>}
                  >
                    <Show when={erd.value()} fallback={<p class="subtle">Loading diagram…</p>}>
                      {(data) => <ErdView erd={data()} onOpenTable={(s, t) => open(s, t)} />}
                    </Show>
                  </Show>
                </Match>
                <Match when={tab() === 'history'}>
                  <SchemaHistory connectionId={id()} reloadKey={treeKey()} />
                </Match>
              </Switch>
            </section>
          </div>
        )}
      </Show>
    </div>
  );
}
