import { createEffect, createMemo, createSignal, For, on, Show } from 'solid-js';
import { yCollab } from 'y-codemirror.next';
import * as Y from 'yjs';
import { MAX_PREVIEW_ROWS, type RunEvent, type RunResultSummary } from '../../../durable-objects/protocol.ts';
import { describeError } from '../api/client.ts';
import { type DocumentSummary, documentsApi } from '../api/documents.ts';
import { runQuery } from '../api/queries.ts';
import { splitBlocks } from '../collab/blocks.ts';
import { initials } from '../collab/presence.ts';
import { createDocumentRoom, type DocumentRoom } from '../collab/room.ts';
import ConnectionPicker from '../components/connection-picker.tsx';
import { ElapsedSince } from '../components/long-task-status.tsx';
import ResultsGrid from '../components/results-grid.tsx';
import SqlEditor from '../components/sql-editor.tsx';
import '../styles/data/page.css';
import '../styles/data/query.css';
import '../styles/data/documents.css';
import { useRouteParams } from '../lib/paths.ts';
import { useStore } from '../stores/index.tsx';
import { toFailure } from '../stores/query-runner.ts';
import { createCompletionSchema } from '../stores/schema.ts';

export default function DocumentPage() {
  const params = useRouteParams<{ id: string }>();
  const store = useStore();
  // Plain signals, not createResource: the document must load even while the
  // router's navigation transition that mounted this page is still settling.
  const [meta, setMeta] = createSignal<DocumentSummary | null>(null);
  const [loadError, setLoadError] = createSignal<unknown>(null);
  createEffect(
    on(
      () => params.id,
      (id) => {
        setMeta(null);
        setLoadError(null);
        documentsApi.get(id).then(setMeta, setLoadError);
      },
    ),
  );
  const mutate = (patch: (m: DocumentSummary | null) => DocumentSummary | null) => setMeta(patch);
  const me = () => store.session.me()?.user;

  return (
    <div class="data-page document-page">
      <Show when={loadError()}>
        <p class="alert error" role="alert">
          {describeError(loadError())}
        </p>
      </Show>
      <Show when={meta() ? me() : undefined} keyed fallback={<p class="subtle">Opening document…</p>}>
        {(user) => (
          <DocumentRoomView
            id={params.id}
            title={meta()!.title}
            connectionId={meta()!.connectionId}
            user={{ id: user.id, name: user.name || user.email }}
            onMeta={(patch) => mutate((m) => (m ? { ...m, ...patch } : m))}
          />
        )}
      </Show>
    </div>
  );
}

function DocumentRoomView(props: {
  id: string;
  title: string;
  connectionId: string | null;
  user: { id: string; name: string };
  onMeta: (patch: { title?: string; connectionId?: string | null }) => void;
}) {
  const store = useStore();
  const room = createDocumentRoom(props.id, props.user);
  const [text, setText] = createSignal(room.text.toString());
  room.text.observe(() => setText(room.text.toString()));
  const blocks = createMemo(() => splitBlocks(text()));
  const [error, setError] = createSignal<string | null>(null);
  const undoManager = new Y.UndoManager(room.text);
  const connection = () => (props.connectionId ? store.connections.byId(props.connectionId) : undefined);
  const completion = createCompletionSchema(() => props.connectionId ?? undefined);
  const canRun = () => !!props.connectionId && store.session.can('viewer');
  // The room relays syncs of the linked connection that changed its schema (whoever ran them).
  const [schemaNotice, setSchemaNotice] = createSignal(false);
  createEffect(
    on(room.schemaChange, (change) => {
      if (!change || change.connectionId !== props.connectionId) return;
      completion.refresh();
      setSchemaNotice(true);
    }),
  );

  async function saveTitle(title: string) {
    if (!title.trim() || title === props.title) return;
    try {
      await documentsApi.update(props.id, { title: title.trim() });
      props.onMeta({ title: title.trim() });
    } catch (err) {
      setError(describeError(err));
    }
  }

  async function pickConnection(connectionId: string) {
    try {
      await documentsApi.update(props.id, { connectionId });
      props.onMeta({ connectionId });
    } catch (err) {
      setError(describeError(err));
    }
  }

  async function runBlock(blockId: string, sql: string) {
    const connectionId = props.connectionId;
    if (!connectionId) return;
    const startedAt = Date.now();
    // The room shares a run only under an id it minted for this member (editors only);
    // the query runs meanwhile, and an unshared run is shown in this tab alone.
    const [runId, outcome] = await Promise.all([room.startRun(blockId), executeBlock(connectionId, sql)]);
    if (runId) room.send({ type: 'run-result', blockId, runId, ...outcome });
    else {
      const by = { userId: props.user.id, name: props.user.name };
      const at = Date.now();
      room.showLocalRun({
        type: 'run-finished',
        runId: `local-${at}`,
        blockId,
        by,
        at,
        startedAt,
        ...outcome,
      });
    }
  }

  return (
    <>
      <header class="page-head">
        <input
          class="doc-title-input"
          aria-label="Document title"
          value={props.title}
          readOnly={room.readOnly()}
          onChange={(e) => void saveTitle(e.currentTarget.value)}
        />
        <ConnectionPicker
          value={props.connectionId ?? undefined}
          onChange={(id) => void pickConnection(id)}
        />
        <Presence room={room} />
        <RoomStatusBadge room={room} />
      </header>
      <Show when={error() || room.closeReason() || room.refusal()}>
        <p class="alert error" role="alert">
          {error() ?? room.closeReason() ?? room.refusal()}
        </p>
      </Show>
      <Show when={schemaNotice()}>
        <p class="alert row" role="status" data-testid="schema-changed-notice">
          <span class="grow">Schema changed — autocomplete refreshed.</span>
          <button type="button" class="btn small" onClick={() => setSchemaNotice(false)}>
            Dismiss
          </button>
        </p>
      </Show>
      <Show when={room.readOnly()}>
        <p class="alert">You are a viewer: you see edits live but cannot change this document.</p>
      </Show>
      <div class="document-layout">
        <SqlEditor
          engine={connection()?.engine}
          schema={completion.namespace()}
          defaultSchema={completion.defaultSchema()}
          readOnly={room.readOnly()}
          extensions={[yCollab(room.text, room.awareness, { undoManager })]}
          onRun={(sql) => {
            const block = blocks().find((b) => b.text === sql.trim());
            void runBlock(block?.id ?? 'selection', sql);
          }}
          class="document-editor"
        />
        <aside class="blocks" aria-label="Query blocks">
          <h3>Blocks</h3>
          <Show when={!props.connectionId}>
            <p class="subtle">Pick a connection to run blocks.</p>
          </Show>
          <For each={blocks()} fallback={<p class="subtle">Write SQL; blank lines separate blocks.</p>}>
            {(block) => (
              <div class="block" data-block={block.id}>
                <div class="row">
                  <code class="grow block-title">{block.title}</code>
                  <button
                    type="button"
                    class="btn small primary"
                    disabled={!canRun() || room.runs()[block.id]?.type === 'run-started'}
                    onClick={() => void runBlock(block.id, block.text)}
                  >
                    ▶ Run
                  </button>
                </div>
                <Show when={room.runs()[block.id]}>{(run) => <SharedRun run={run()} />}</Show>
              </div>
            )}
          </For>
        </aside>
      </div>
    </>
  );
}

async function executeBlock(
  connectionId: string,
  sql: string,
): Promise<{ result: RunResultSummary } | { error: { code: string; message: string } }> {
  try {
    const { results } = await runQuery(connectionId, { sql, maxRows: 1000 });
    const last = results.at(-1);
    return {
      result: last
        ? {
            columns: last.columns.map((c) => c.name),
            rowCount: last.columns.length ? last.rows.length : (last.affectedRows ?? 0),
            rows: last.rows.slice(0, MAX_PREVIEW_ROWS),
            truncated: last.truncated || last.rows.length > MAX_PREVIEW_ROWS,
            durationMs: last.durationMs,
          }
        : { columns: [], rowCount: 0 },
    };
  } catch (err) {
    const failure = toFailure(err);
    return { error: { code: failure.code, message: failure.message } };
  }
}

function SharedRun(props: { run: RunEvent }) {
  const at = () => new Date(props.run.at).toLocaleTimeString();
  return (
    <div class="shared-run" data-testid="shared-run">
      <Show
        when={props.run.type === 'run-finished' ? props.run : null}
        fallback={
          <p class="subtle">
            <span class="spinner" /> {props.run.by.name} is running this… ({at()},{' '}
            <ElapsedSince at={new Date(props.run.at).getTime()} />)
          </p>
        }
      >
        {(done) => (
          <>
            <p class="subtle">
              Run by {done().by.name} at {at()}
              {done().result?.durationMs !== undefined ? ` · ${done().result?.durationMs} ms` : ''}
            </p>
            <Show when={done().error}>{(e) => <p class="error-text">{e().message}</p>}</Show>
            <Show when={done().result}>
              {(r) => (
                <Show when={r().columns.length > 0} fallback={<p>{r().rowCount} rows affected</p>}>
                  <div class="shared-grid">
                    <ResultsGrid
                      columns={r().columns.map((name) => ({ name, type: '' }))}
                      rows={r().rows ?? []}
                      truncated={r().truncated}
                    />
                  </div>
                </Show>
              )}
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}

function Presence(props: { room: DocumentRoom }) {
  return (
    <ul class="presence" aria-label="People here" data-testid="presence">
      <For each={props.room.people()}>
        {(p) => (
          <li class="avatar" style={{ '--person': p.color }} title={p.self ? `${p.name} (you)` : p.name}>
            {initials(p.name)}
          </li>
        )}
      </For>
    </ul>
  );
}

function RoomStatusBadge(props: { room: DocumentRoom }) {
  const label = () => {
    switch (props.room.status()) {
      case 'connected':
        return props.room.synced() ? 'Live' : 'Syncing…';
      case 'connecting':
        return 'Connecting…';
      case 'disconnected':
        return 'Offline — edits will merge on reconnect';
      case 'closed':
        return 'Closed';
    }
  };
  return (
    <span class={`room-status ${props.room.status()}`} role="status" data-testid="room-status">
      <span class="dot" /> {label()}
    </span>
  );
}
