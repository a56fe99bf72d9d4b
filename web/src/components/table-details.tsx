import { For, Show } from 'solid-js';
import type { TableDetail } from '../api/schema.ts';

const cols = (list: string[]) => list.join(', ');

/** What a SQLite table is beyond its columns: virtual (FTS5…), a virtual table's shadow storage, options. */
function sqliteNote(detail: TableDetail): string | null {
  const s = detail.sqlite;
  if (!s) return null;
  if (s.virtual) return `virtual table (${s.virtual.module})`;
  if (s.shadowOf) return `shadow table of ${s.shadowOf}: the virtual table's own storage`;
  return [s.withoutRowid && 'WITHOUT ROWID', s.strict && 'STRICT'].filter(Boolean).join(', ') || null;
}

/** Everything the sync knows about one table: columns, keys, indexes, references both ways. */
export default function TableDetails(props: {
  detail: TableDetail;
  onOpenTable: (schema: string, table: string) => void;
}) {
  const pk = () => new Set(props.detail.primaryKey?.columns ?? []);
  const fkCols = () => new Set(props.detail.foreignKeys.flatMap((f) => f.columns));
  return (
    <div class="table-details" data-testid="table-details">
      <p class="subtle">
        {props.detail.kind.replace('_', ' ')} · ~{props.detail.rowEstimate ?? '?'} rows (estimate) ·{' '}
        {props.detail.columns.length} columns
        <Show when={props.detail.comment}> · {props.detail.comment}</Show>
        <Show when={sqliteNote(props.detail)}>
          {(note) => <span data-testid="sqlite-table"> · {note()}</span>}
        </Show>
      </p>
      <h3>Columns</h3>
      <table class="detail-table">
        <thead>
          <tr>
            <th>#</th>
            <th>Name</th>
            <th>Type</th>
            <th>Null</th>
            <th>Default</th>
            <th>Keys</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.detail.columns}>
            {(c) => (
              <tr>
                <td class="subtle">{c.position}</td>
                <td class="mono">{c.name}</td>
                <td class="mono">{c.dataType}</td>
                <td>{c.nullable ? 'yes' : 'no'}</td>
                <td class="mono subtle">
                  {c.generated ? `GENERATED ${c.generated.expression}` : (c.default ?? '')}
                </td>
                <td>
                  <Show when={pk().has(c.name)}>
                    <span class="mark pk">PK</span>
                  </Show>
                  <Show when={fkCols().has(c.name)}>
                    <span class="mark fk">FK</span>
                  </Show>
                  <Show when={c.identity}>
                    <span class="mark">{c.identity}</span>
                  </Show>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>

      <h3>Foreign keys (out)</h3>
      <Show when={props.detail.foreignKeys.length > 0} fallback={<p class="subtle">None.</p>}>
        <ul class="fk-list" data-testid="fk-out">
          <For each={props.detail.foreignKeys}>
            {(fk) => (
              <li>
                <span class="mono">{cols(fk.columns)}</span> →{' '}
                <button
                  type="button"
                  class="link mono"
                  onClick={() => props.onOpenTable(fk.refSchema, fk.refTable)}
                >
                  {fk.refSchema}.{fk.refTable}
                </button>
                <span class="mono">({cols(fk.refColumns)})</span>
                <span class="subtle">
                  {' '}
                  {fk.name ?? ''} on delete {fk.onDelete.toLowerCase()}, on update {fk.onUpdate.toLowerCase()}
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>

      <h3>Foreign keys (in)</h3>
      <Show when={(props.detail.incomingForeignKeys ?? []).length > 0} fallback={<p class="subtle">None.</p>}>
        <ul class="fk-list" data-testid="fk-in">
          <For each={props.detail.incomingForeignKeys}>
            {(fk) => (
              <li>
                <button
                  type="button"
                  class="link mono"
                  onClick={() => props.onOpenTable(fk.fromSchema, fk.fromTable)}
                >
                  {fk.fromSchema}.{fk.fromTable}
                </button>
                <span class="mono">({cols(fk.columns)})</span> →{' '}
                <span class="mono">{cols(fk.refColumns)}</span>
              </li>
            )}
          </For>
        </ul>
      </Show>

      <h3>Indexes</h3>
      <Show when={props.detail.indexes.length > 0} fallback={<p class="subtle">None.</p>}>
        <ul class="fk-list">
          <For each={props.detail.indexes}>
            {(ix) => (
              <li>
                <span class="mono">{ix.name}</span>{' '}
                <Show when={ix.primary}>
                  <span class="mark pk">PK</span>
                </Show>
                <Show when={ix.unique && !ix.primary}>
                  <span class="mark">unique</span>
                </Show>{' '}
                <span class="mono">
                  (
                  {ix.parts
                    .map((p) => (p.column ?? p.expression ?? '') + (p.descending ? ' DESC' : ''))
                    .join(', ')}
                  )
                </span>
                <span class="subtle"> {ix.method ?? ''}</span>
                <Show when={ix.predicate}>
                  <span class="subtle mono"> WHERE {ix.predicate}</span>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>

      <Show when={props.detail.uniques.length > 0 || props.detail.checks.length > 0}>
        <h3>Constraints</h3>
        <ul class="fk-list">
          <For each={props.detail.uniques}>
            {(u) => (
              <li>
                <span class="mark">unique</span>{' '}
                <span class="mono">
                  {u.name ?? ''} ({cols(u.columns)})
                </span>
              </li>
            )}
          </For>
          <For each={props.detail.checks}>
            {(ch) => (
              <li>
                <span class="mark">check</span>{' '}
                <span class="mono">
                  {ch.name ?? ''} {ch.expression}
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>

      <Show when={props.detail.definition}>
        <h3>Definition</h3>
        <pre class="mono definition">{props.detail.definition}</pre>
      </Show>
    </div>
  );
}
