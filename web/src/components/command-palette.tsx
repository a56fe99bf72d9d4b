import { useLocation, useNavigate } from '@solidjs/router';
import { createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { documentsApi } from '../api/documents.ts';
import { fetchSavedQueries } from '../api/saved-queries.ts';
import { schemaApi } from '../api/schema.ts';
import { openSqlInEditor } from '../lib/open-sql.ts';
import { path } from '../lib/paths.ts';
import { useStore } from '../stores/index.tsx';
import { readLastPlace } from '../stores/last-place.ts';
import { filterItems, type PaletteItem } from './palette-items.ts';
import { ShortcutsSheet } from './shortcuts-sheet.tsx';
import '../styles/palette.css';

const PAGES = [
  ['Dashboard', '/'],
  ['Connections', '/connections'],
  ['Browser', '/browser'],
  ['Query', '/query'],
  ['Documents', '/documents'],
  ['Audit log', '/audit'],
  ['Settings', '/settings'],
  ['API tokens', '/settings/tokens'],
] as const;

/** Typing in a field or an editor keeps its keys; only Ctrl/⌘+K reaches the palette from there. */
function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}

/**
 * Ctrl/⌘+K: jump to any page, connection, table (of the connection in view or last used),
 * document or saved query, or run a common action. `?` opens the shortcuts sheet. Both are
 * native modal <dialog>s: the browser traps focus, closes on Escape and restores focus.
 */
export function CommandPalette() {
  const store = useStore();
  const navigate = useNavigate();
  const location = useLocation();
  const [open, setOpen] = createSignal(false);
  const [sheet, setSheet] = createSignal(false);
  const [query, setQuery] = createSignal('');
  const [active, setActive] = createSignal(0);
  const [loaded, setLoaded] = createSignal<PaletteItem[]>([]);
  let dialog: HTMLDialogElement | undefined;
  let input: HTMLInputElement | undefined;

  const currentConnection = () => {
    const m = /^\/(?:query|browser)\/([^/?#]+)/.exec(location.pathname);
    if (m?.[1]) return decodeURIComponent(m[1]);
    const me = store.session.me();
    const last = readLastPlace(me?.user.id, store.session.activeOrg()?.id).connectionId;
    return last ?? store.connections.list.find((c) => c.builtin)?.id;
  };

  const fixed = createMemo<PaletteItem[]>(() => [
    ...PAGES.map(([label, href]) => ({
      id: `page:${href}`,
      kind: 'Go to',
      label,
      run: () => navigate(href),
    })),
    {
      id: 'new-connection',
      kind: 'Action',
      label: 'New connection',
      run: () => navigate('/connections/new'),
    },
    {
      id: 'new-document',
      kind: 'Action',
      label: 'New document',
      run: async () => {
        const doc = await documentsApi.create({
          title: 'Untitled document',
          connectionId: currentConnection() ?? null,
        });
        navigate(path`/documents/${doc.id}`);
      },
    },
    {
      id: 'theme',
      kind: 'Action',
      label: store.theme.dark() ? 'Switch to light theme' : 'Switch to dark theme',
      run: () => store.theme.toggle(),
    },
    {
      id: 'shortcuts',
      kind: 'Action',
      label: 'Keyboard shortcuts',
      hint: '?',
      run: () => void setSheet(true),
    },
    { id: 'sign-out', kind: 'Action', label: 'Sign out', run: () => store.session.signOut() },
    ...store.connections.list.flatMap((c) => [
      {
        id: `query:${c.id}`,
        kind: 'Query',
        label: c.name,
        hint: c.engine,
        run: () => navigate(path`/query/${c.id}`),
      },
      {
        id: `browse:${c.id}`,
        kind: 'Browse',
        label: c.name,
        hint: c.engine,
        run: () => navigate(path`/browser/${c.id}`),
      },
    ]),
  ]);
  const items = createMemo(() => filterItems([...fixed(), ...loaded()], query()));

  /** Tables, documents and saved queries are fetched when the palette opens; each may fail alone. */
  async function loadSources() {
    const id = currentConnection();
    const connectionName = id ? (store.connections.byId(id)?.name ?? id) : '';
    const [tables, docs, saved] = await Promise.allSettled([
      id ? schemaApi.exportJson(id) : Promise.resolve({ tables: [] }),
      documentsApi.list(),
      fetchSavedQueries(undefined),
    ]);
    const out: PaletteItem[] = [];
    if (tables.status === 'fulfilled' && id) {
      for (const t of tables.value.tables) {
        const search = new URLSearchParams({ schema: t.schema, table: t.name, tab: 'details' });
        out.push({
          id: `table:${t.schema}.${t.name}`,
          kind: 'Table',
          label: `${t.schema}.${t.name}`,
          hint: connectionName,
          run: () => navigate(`${path`/browser/${id}`}?${search}`),
        });
      }
    }
    if (docs.status === 'fulfilled') {
      for (const d of docs.value.documents) {
        out.push({
          id: `doc:${d.id}`,
          kind: 'Document',
          label: d.title,
          run: () => navigate(path`/documents/${d.id}`),
        });
      }
    }
    if (saved.status === 'fulfilled') {
      for (const s of saved.value) {
        const target = s.connectionId ?? id;
        out.push({
          id: `saved:${s.id}`,
          kind: 'Saved query',
          label: s.name,
          hint: s.sql.slice(0, 80),
          run: () => {
            openSqlInEditor(s.sql);
            navigate(target ? path`/query/${target}` : '/query');
          },
        });
      }
    }
    setLoaded(out);
  }

  function show() {
    setQuery('');
    setActive(0);
    setOpen(true);
    dialog?.showModal();
    input?.focus();
    void loadSources();
  }
  function hide() {
    if (dialog?.open) dialog.close();
    setOpen(false);
  }

  async function choose(item: PaletteItem | undefined) {
    if (!item) return;
    hide();
    try {
      await item.run();
    } catch (err) {
      store.toasts.error(err);
    }
  }

  function onInputKey(e: KeyboardEvent) {
    const count = items().length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (count === 0) return;
      setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : count - 1)) % count);
      document.getElementById(`palette-item-${active()}`)?.scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter') {
      e.preventDefault();
      void choose(items()[active()]);
    }
  }

  onMount(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        if (open()) hide();
        else show();
      } else if (e.key === '?' && !e.ctrlKey && !e.metaKey && !typingIn(e.target) && !open()) {
        e.preventDefault();
        setSheet(true);
      }
    };
    document.addEventListener('keydown', onKey);
    onCleanup(() => document.removeEventListener('keydown', onKey));
  });

  return (
    <>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: only the backdrop click is handled here; Escape closes a modal dialog natively */}
      <dialog
        ref={dialog}
        class="palette"
        aria-label="Command palette"
        onClose={() => setOpen(false)}
        onClick={(e) => {
          // A click on the backdrop (the dialog box itself, outside its content) closes it.
          if (e.target === dialog) hide();
        }}
      >
        <input
          ref={input}
          class="palette-input"
          type="text"
          role="combobox"
          aria-label="Search pages, connections, tables, documents, saved queries and actions"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={items().length ? `palette-item-${active()}` : undefined}
          aria-autocomplete="list"
          placeholder="Jump to… (connections, tables, documents, saved queries, actions)"
          value={query()}
          onInput={(e) => {
            setQuery(e.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={onInputKey}
        />
        <div
          id="palette-list"
          class="palette-list"
          role="listbox"
          aria-label="Results"
          data-testid="palette-list"
        >
          <For each={items()} fallback={<p class="palette-empty muted">Nothing matches.</p>}>
            {(item, i) => (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard chooses through the search box (arrows, Enter); options are never tab stops
              <div
                tabIndex={-1}
                id={`palette-item-${i()}`}
                role="option"
                aria-selected={i() === active()}
                class="palette-item"
                onPointerMove={() => setActive(i())}
                onClick={() => void choose(item)}
              >
                <span class="palette-kind">{item.kind}</span>
                <span class="palette-label">{item.label}</span>
                <Show when={item.hint}>
                  <span class="palette-hint">{item.hint}</span>
                </Show>
              </div>
            )}
          </For>
        </div>
        <p class="palette-foot muted">
          <kbd>↑</kbd> <kbd>↓</kbd> choose · <kbd>Enter</kbd> open · <kbd>Esc</kbd> close · <kbd>?</kbd> all
          shortcuts
        </p>
      </dialog>
      <ShortcutsSheet open={sheet()} onClose={() => setSheet(false)} />
    </>
  );
}
