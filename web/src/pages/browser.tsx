import { useNavigate, useSearchParams } from '@solidjs/router';
import { createEffect, createSignal, For, lazy, Match, on, onCleanup, Show, Switch } from 'solid-js';
import { describeError } from '../api/client.ts';
import ConnectionPicker from '../components/connection-picker.tsx';
import SchemaTree, { type TreeSelection } from '../components/schema-tree.tsx';
import TableDetails from '../components/table-details.tsx';
import '../components/data-pages.css';
import { type SchemaNode, type SearchHit, schemaApi } from '../api/schema.ts';
import { path, useRouteParams } from '../lib/paths.ts';
import { useStore } from '../stores/index.tsx';
import { pickConnection, readLastPlace, rememberPlace } from '../stores/last-place.ts';
import { createLoader } from '../stores/loader.ts';
import { createSchemaWatch } from '../stores/schema-watch.ts';

const DataGrid = lazy(() => import('../components/data-grid.tsx'));
const ErdView = lazy(() => import('../components/erd-view.tsx'));

type Tab = 'details' | 'data' | 'erd' | 'history';

/** Dates cross the API as ISO 8601. */
const ago = (t: string | null) => {
  if (t === null) return 'never';
  const ms = Date.now() - new Date(t).getTime();
  if (ms < 60_000) return 'just now';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h ago`;
  return new Date(t).toLocaleString();
};

export default function BrowserPage() {
  const params = useRouteParams<{ connectionId?: string }>();
  const [search, setSearch] = useSearchParams<{ schema?: string; table?: string; tab?: Tab }>();
  const navigate = useNavigate();
  const [schemas, setSchemas] = createSignal<SchemaNode[]>([]);
  const [schemaCursor, setSchemaCursor] = createSignal<string | null>(null);
  const [syncedAt, setSyncedAt] = createSignal<string | null>(null);
  const [treeKey, setTreeKey] = createSignal(0);
  const [syncing, setSyncing] = createSignal(false);
  const [syncStarted, setSyncStarted] = createSignal(0);
  const [now, setNow] = createSignal(Date.now());
  const [notice, setNotice] = createSignal<{ kind: 'error' | 'success'; text: string } | null>(null);
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

  const timer = setInterval(() => setNow(Date.now()), 1000);
  onCleanup(() => clearInterval(timer));

  async function sync() {
    const id = params.connectionId;
    if (!id) return;
    setSyncing(true);
    setSyncStarted(Date.now());
    setNotice(null);
    try {
      const result = await schemaApi.sync(id);
      watch.seen(result.snapshotId);
      setNotice({
        kind: 'success',
        text: `Synced ${result.tableCount} tables in ${Math.round(result.totalMs)} ms${result.changed ? ' — schema changed' : ''}.`,
      });
      setTreeKey((k) => k + 1);
    } catch (err) {
      setNotice({ kind: 'error', text: describeError(err) });
    } finally {
      setSyncing(false);
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
  const history = createLoader(
    () =>
      params.connectionId && tab() === 'history' ? { id: params.connectionId, k: treeKey() } : undefined,
    ({ id }) => schemaApi.history(id),
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
          <button type="button" class="btn primary" onClick={sync} disabled={syncing()} data-testid="sync">
            <Show when={syncing()} fallback="Sync">
              <span class="spinner" /> Syncing… {Math.max(0, Math.round((now() - syncStarted()) / 1000))}s
            </Show>
          </button>
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
        fallback={<p class="empty">Choose a connection to browse its schema.</p>}
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
                      readOnly={id().startsWith('builtin:')}
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
                  <Show
                    when={!history.error()}
                    fallback={<p class="alert error">{describeError(history.error())}</p>}
                  >
                    <ul class="schema-history" data-testid="schema-history">
                      <For
                        each={history.value()?.items ?? []}
                        fallback={<li class="subtle">No schema changes recorded yet.</li>}
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
                </Match>
              </Switch>
            </section>
          </div>
        )}
      </Show>
    </div>
  );
}
