import { For, Show } from 'solid-js';
import type { TableDetail } from '../api/schema.ts';
import TablePartitions from './table-partitions.tsx';

const cols = (list: string[]) => list.join(', ');

/**
 * One index part as the CREATE would say it. A prefix part keeps its column and carries
 * `name(10)` as its expression, so the expression goes first or the prefix length is lost.
 */
const indexPart = (p: TableDetail['indexes'][number]['parts'][number]) =>
  (p.expression ?? p.column ?? '') + (p.descending ? ' DESC' : '');

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
        <Show when={props.detail.systemVersioned}>
          {' '}
          <span
            class="mark"
            data-testid="system-versioned"
            title="WITH SYSTEM VERSIONING: past rows are kept"
          >
            system-versioned
          </span>
        </Show>
        <Show when={props.detail.partitionOf}>
          {(parent) => (
            <span data-testid="partition-of">
              {' '}
              · partition of {parent().schema}.{parent().name}
              <Show when={parent().bound}> {parent().bound}</Show>
            </span>
          )}
        </Show>
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
              <tr data-column={c.name}>
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
                  <Show when={c.generated}>{(g) => <span class="mark">generated {g().kind}</span>}</Show>
                  <Show when={c.rowPeriod}>{(end) => <span class="mark">row {end()}</span>}</Show>
                  <Show when={c.invisible}>
                    <span class="mark" title="INVISIBLE: left out of SELECT *">
                      invisible
                    </span>
                  </Show>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>

      <Show when={props.detail.partitioning}>
        {(partitioning) => <TablePartitions partitioning={partitioning()} />}
      </Show>

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
              <li data-index={ix.name}>
                <span class="mono">{ix.name}</span>{' '}
                <Show when={ix.primary}>
                  <span class="mark pk">PK</span>
                </Show>
                <Show when={ix.unique && !ix.primary}>
                  <span class="mark">unique</span>
                </Show>{' '}
                <Show when={ix.method}>{(kind) => <span class="mark">{kind().toLowerCase()}</span>}</Show>{' '}
                <span class="mono">({ix.parts.map(indexPart).join(', ')})</span>
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

      {/* A MySQL partitioned table's definition is its partition key, which Partitions shows. */}
      <Show when={props.detail.definition && !props.detail.partitioning}>
        <h3>Definition</h3>
        <pre class="mono definition">{props.detail.definition}</pre>
      </Show>
    </div>
  );
}
