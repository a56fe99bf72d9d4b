import { A, useNavigate } from '@solidjs/router';
import { createSignal, For, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { type DocumentSummary, documentsApi } from '../api/documents.ts';
import '../styles/data/page.css';
import '../styles/data/documents.css';
import { path } from '../lib/paths.ts';
import { useStore } from '../stores/index.tsx';
import { createLoader } from '../stores/loader.ts';

/** Dates cross the API as ISO 8601. */
const when = (iso: string) => new Date(iso).toLocaleString();

export default function DocumentsPage() {
  const store = useStore();
  const navigate = useNavigate();
  const [q, setQ] = createSignal('');
  const [extra, setExtra] = createSignal<DocumentSummary[]>([]);
  const page = createLoader(q, (text) => {
    setExtra([]);
    return documentsApi.list(text || undefined);
  });
  const refetch = page.refetch;
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [renaming, setRenaming] = createSignal<string | null>(null);
  let searchTimer: ReturnType<typeof setTimeout> | undefined;

  const list = () => [...(page.value()?.documents ?? []), ...extra()];
  const next = () => cursor() ?? page.value()?.nextCursor ?? null;
  const canWrite = () => store.session.can('editor');
  const connectionName = (id: string | null) => (id ? (store.connections.byId(id)?.name ?? 'unknown') : '—');

  async function create() {
    try {
      const doc = await documentsApi.create({ title: 'Untitled document' });
      navigate(path`/documents/${doc.id}`);
    } catch (err) {
      setError(describeError(err));
    }
  }

  async function rename(doc: DocumentSummary, title: string) {
    setRenaming(null);
    if (!title.trim() || title === doc.title) return;
    try {
      await documentsApi.update(doc.id, { title: title.trim() });
      await refetch();
    } catch (err) {
      setError(describeError(err));
    }
  }

  async function remove(doc: DocumentSummary) {
    if (!confirm(`Delete "${doc.title}"? Its history goes with it.`)) return;
    try {
      await documentsApi.remove(doc.id);
      await refetch();
    } catch (err) {
      setError(describeError(err));
    }
  }

  async function more() {
    const c = next();
    if (!c) return;
    try {
      const res = await documentsApi.list(q() || undefined, c);
      setExtra((l) => [...l, ...res.documents]);
      setCursor(res.nextCursor);
    } catch (err) {
      setError(describeError(err));
    }
  }

  return (
    <div class="page data-page documents-page">
      <header class="page-head">
        <h1>Documents</h1>
        <input
          type="search"
          placeholder="Search titles…"
          aria-label="Search documents"
          onInput={(e) => {
            const text = e.currentTarget.value;
            clearTimeout(searchTimer);
            searchTimer = setTimeout(() => setQ(text.trim()), 200);
          }}
        />
        <Show when={canWrite()}>
          <button type="button" class="btn primary" onClick={create} data-testid="new-document">
            New document
          </button>
        </Show>
      </header>
      <Show when={error() || page.error()}>
        <p class="alert error" role="alert">
          {error() ?? describeError(page.error())}
        </p>
      </Show>
      <table class="detail-table documents-table">
        <thead>
          <tr>
            <th>Title</th>
            <th>Connection</th>
            <th>Updated</th>
            <th />
          </tr>
        </thead>
        <tbody>
          <For
            each={list()}
            fallback={
              <tr>
                <td colSpan={4} class="subtle">
                  {page.loading()
                    ? 'Loading…'
                    : 'No documents yet: press New document to write SQL with others.'}
                </td>
              </tr>
            }
          >
            {(doc) => (
              <tr>
                <td>
                  <Show
                    when={renaming() === doc.id}
                    fallback={
                      <A href={path`/documents/${doc.id}`} class="doc-title">
                        {doc.title}
                      </A>
                    }
                  >
                    <input
                      aria-label="New title"
                      value={doc.title}
                      ref={(el) => queueMicrotask(() => el.select())}
                      onKeyDown={(e) => {
                        if (e.key === 'Enter') void rename(doc, e.currentTarget.value);
                        if (e.key === 'Escape') setRenaming(null);
                      }}
                      onBlur={(e) => void rename(doc, e.currentTarget.value)}
                    />
                  </Show>
                </td>
                <td>{connectionName(doc.connectionId)}</td>
                <td class="subtle">{when(doc.updatedAt)}</td>
                <td class="actions">
                  <Show when={canWrite()}>
                    <button type="button" class="link" onClick={() => setRenaming(doc.id)}>
                      Rename
                    </button>
                    <button type="button" class="link danger" onClick={() => void remove(doc)}>
                      Delete
                    </button>
                  </Show>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={next()}>
        <button type="button" class="btn" onClick={more}>
          Load more
        </button>
      </Show>
    </div>
  );
}
