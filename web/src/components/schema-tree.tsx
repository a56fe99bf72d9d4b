import { createSignal, For, onCleanup, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { type SchemaNode, schemaApi, type TableNode } from '../api/schema.ts';
import { rovingFocus } from '../lib/roving-focus.ts';
import ObjectGroups from './schema-object-groups.tsx';

export interface TreeSelection {
  schema: string;
  table: string;
}

/**
 * schema → tables/views, each level fetched when first opened and paged with
 * the API's cursor ("Load more"), so a 5,000-table schema never renders at once;
 * then the schema's sequences, domains, routines, triggers and events in groups of their own.
 */
export default function SchemaTree(props: {
  connectionId: string;
  schemas: SchemaNode[];
  hasMoreSchemas: boolean;
  onMoreSchemas: () => void;
  selected: TreeSelection | null;
  onSelect: (selection: TreeSelection) => void;
}) {
  // One Tab stop for the whole tree; the arrows move between rows (lib/roving-focus.ts).
  const roving = (el: HTMLUListElement) => onCleanup(rovingFocus(el));
  return (
    <ul class="tree" aria-label="Schema" data-testid="schema-tree" ref={roving}>
      <For each={props.schemas} fallback={<li class="subtle">Nothing synced yet — press Sync.</li>}>
        {(schema) => (
          <SchemaBranch
            connectionId={props.connectionId}
            schema={schema}
            initiallyOpen={props.schemas.length === 1 || schema.name === 'public'}
            selected={props.selected}
            onSelect={props.onSelect}
          />
        )}
      </For>
      <Show when={props.hasMoreSchemas}>
        <li>
          <button type="button" class="link" onClick={props.onMoreSchemas}>
            Load more schemas…
          </button>
        </li>
      </Show>
    </ul>
  );
}

function SchemaBranch(props: {
  connectionId: string;
  schema: SchemaNode;
  initiallyOpen: boolean;
  selected: TreeSelection | null;
  onSelect: (selection: TreeSelection) => void;
}) {
  const [open, setOpen] = createSignal(false);
  const [tables, setTables] = createSignal<TableNode[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let loaded = false;

  async function loadMore() {
    setLoading(true);
    try {
      const page = await schemaApi.tables(props.connectionId, props.schema.name, cursor() ?? undefined);
      setTables((list) => [...list, ...page.items]);
      setCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setLoading(false);
    }
  }

  function toggle() {
    const next = !open();
    setOpen(next);
    if (next && !loaded) {
      loaded = true;
      void loadMore();
    }
  }
  if (props.initiallyOpen) toggle();

  const count = () => props.schema.tableCount + props.schema.viewCount;
  return (
    <li>
      <button type="button" class="tree-row" aria-expanded={open()} onClick={toggle}>
        <span class="caret">{open() ? '▾' : '▸'}</span>
        <span class="icon" aria-hidden="true">
          ◫
        </span>
        <span class="grow">{props.schema.name}</span>
        <span class="count" title={`${props.schema.tableCount} tables, ${props.schema.viewCount} views`}>
          {count()}
        </span>
      </button>
      <Show when={open()}>
        <ul>
          <For each={tables()}>
            {(table) => (
              <li>
                <button
                  type="button"
                  class="tree-row leaf"
                  classList={{ selected: isSelected(props.selected, table) }}
                  data-table={`${table.schema}.${table.name}`}
                  onClick={() => props.onSelect({ schema: table.schema, table: table.name })}
                >
                  <span class="icon" aria-hidden="true" title={table.kind}>
                    {table.kind.includes('view') ? '◇' : '▦'}
                  </span>
                  <span class="grow name">{table.name}</span>
                  <Show when={table.sqlite?.virtual}>
                    {(v) => (
                      <span class="mark" title={`Virtual table (${v().module})`}>
                        {v().module}
                      </span>
                    )}
                  </Show>
                  <Show when={table.sqlite?.shadowOf}>
                    {(owner) => (
                      <span
                        class="mark"
                        title={`Shadow table: the storage of ${owner()}`}
                        data-testid="shadow-table"
                      >
                        shadow
                      </span>
                    )}
                  </Show>
                  <Show when={table.hasPrimaryKey}>
                    <span class="mark pk" title="Has a primary key">
                      PK
                    </span>
                  </Show>
                  <Show when={table.foreignKeyCount > 0}>
                    <span class="mark fk" title={`${table.foreignKeyCount} foreign keys`}>
                      FK{table.foreignKeyCount}
                    </span>
                  </Show>
                  <Show when={table.indexCount > 0}>
                    <span class="mark ix" title={`${table.indexCount} indexes`}>
                      IX{table.indexCount}
                    </span>
                  </Show>
                  <span class="count" title="Columns">
                    {table.columnCount}
                  </span>
                </button>
              </li>
            )}
          </For>
          <Show when={loading()}>
            <li class="subtle tree-note">Loading…</li>
          </Show>
          <Show when={error()}>
            <li class="error-text tree-note">{error()}</li>
          </Show>
          <Show when={cursor() && !loading()}>
            <li>
              <button type="button" class="link tree-note" onClick={() => void loadMore()}>
                Load more…
              </button>
            </li>
          </Show>
          <ObjectGroups connectionId={props.connectionId} schema={props.schema.name} />
        </ul>
      </Show>
    </li>
  );
}

const isSelected = (sel: TreeSelection | null, t: TableNode) =>
  sel !== null && sel.schema === t.schema && sel.table === t.name;
