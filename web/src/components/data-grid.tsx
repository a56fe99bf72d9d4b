import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { deleteRow, fetchRows, insertRow, type RowSort, type RowsPage, updateRow } from '../api/rows.ts';
import { createLongTask } from '../stores/long-task.ts';
import { cellText } from './cell-value.ts';
import ExportButtons from './export-button.tsx';
import FilterBuilder, { type DraftFilter, toRowFilter } from './filter-builder.tsx';
import ImportCsv from './import-csv.tsx';
import LongTaskStatus from './long-task-status.tsx';
import ResultsGrid, { CellValue } from './results-grid.tsx';

const PAGE_SIZE = 100;

/**
 * A table's rows, a keyset page at a time (prev/next cursors from the API), with
 * sort, filters and edits by primary key. Tables without a primary key are read-only.
 */
export default function DataGrid(props: {
  connectionId: string;
  schema: string;
  table: string;
  readOnly?: boolean;
  /** How the engine quotes identifiers, for rows copied as SQL INSERT. */
  identifierQuote?: '"' | '`';
}) {
  const [page, setPage] = createSignal<RowsPage | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [sort, setSort] = createSignal<RowSort | null>(null);
  const [drafts, setDrafts] = createSignal<DraftFilter[]>([]);
  const [applied, setApplied] = createSignal<DraftFilter[]>([]);
  const [selectedRow, setSelectedRow] = createSignal<number | null>(null);
  const [editing, setEditing] = createSignal<{ row: number; col: number; text: string } | null>(null);
  const [adding, setAdding] = createSignal<Record<string, string> | null>(null);
  // Cursors of the pages before this one: the API pages forward, "Prev" walks back this trail.
  const [trail, setTrail] = createSignal<(string | null)[]>([]);
  const [current, setCurrent] = createSignal<string | null>(null);
  // Counts page loads: the grid keeps its selection across an edit in place, not across a load.
  const [loads, setLoads] = createSignal(0);

  // A newer load aborts the one in flight, so a slow page never lands over a newer one.
  const reader = createLongTask();
  const loading = reader.running;

  async function load(cursor: string | null = current()) {
    const outcome = await reader.run((signal) =>
      fetchRows(
        props.connectionId,
        props.schema,
        props.table,
        { limit: PAGE_SIZE, sort: sort(), filters: applied().map(toRowFilter), cursor },
        signal,
      ),
    );
    if (outcome.status === 'done') {
      setCurrent(cursor);
      setPage(outcome.value);
      setLoads((n) => n + 1);
      setSelectedRow(null);
      setEditing(null);
      setError(null);
    } else if (outcome.status === 'failed') {
      setError(describeError(outcome.error));
    } else if (outcome.status === 'cancelled') {
      setError('Stopped loading rows: press Refresh to read them again.');
    }
  }

  createEffect(
    on([() => props.connectionId, () => props.schema, () => props.table, sort, applied], () => {
      setTrail([]);
      void load(null);
    }),
  );

  async function next() {
    const cursor = page()?.nextCursor;
    if (!cursor) return;
    setTrail((t) => [...t, current()]);
    await load(cursor);
  }

  async function prev() {
    const t = trail();
    if (t.length === 0) return;
    setTrail(t.slice(0, -1));
    await load(t[t.length - 1] ?? null);
  }

  const editable = () => !props.readOnly && (page()?.primaryKey.length ?? 0) > 0;
  const columnIndex = (name: string) => page()?.columns.findIndex((c) => c.name === name) ?? -1;
  const keyOf = (row: unknown[]) =>
    Object.fromEntries((page()?.primaryKey ?? []).map((k) => [k, row[columnIndex(k)]]));
  const valuesOf = (row: unknown[]) =>
    Object.fromEntries((page()?.columns ?? []).map((c, i) => [c.name, row[i]]));

  function cycleSort(col: number) {
    const name = page()?.columns[col]?.name;
    if (!name) return;
    const current = sort();
    if (current?.column !== name) setSort({ column: name, direction: 'asc' });
    else if (current.direction === 'asc') setSort({ column: name, direction: 'desc' });
    else setSort(null);
  }

  async function commitEdit(value: string | null) {
    const edit = editing();
    const current = page();
    if (!edit || !current) return;
    const row = current.rows[edit.row];
    const column = current.columns[edit.col];
    if (!row || !column) return;
    try {
      await updateRow(
        props.connectionId,
        props.schema,
        props.table,
        keyOf(row),
        { [column.name]: value },
        valuesOf(row),
      );
      setPage({
        ...current,
        rows: current.rows.map((r, i) =>
          i === edit.row ? r.map((v, j) => (j === edit.col ? value : v)) : r,
        ),
      });
      closeEditor();
      setError(null);
    } catch (err) {
      setError(describeError(err));
    }
  }

  let container!: HTMLDivElement;
  /** Back to the grid once the editor goes, so the keyboard carries on from the same cell. */
  function closeEditor() {
    setEditing(null);
    container.querySelector<HTMLElement>('[role="grid"]')?.focus();
  }

  async function removeSelected() {
    const index = selectedRow();
    const row = index === null ? undefined : page()?.rows[index];
    if (!row || !confirm('Delete this row?')) return;
    try {
      await deleteRow(props.connectionId, props.schema, props.table, keyOf(row), valuesOf(row));
      await load();
    } catch (err) {
      setError(describeError(err));
    }
  }

  async function insert(event: SubmitEvent) {
    event.preventDefault();
    const values = adding();
    if (!values) return;
    // Empty inputs are left out so the column's default applies.
    const given = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
    try {
      await insertRow(props.connectionId, props.schema, props.table, given);
      setAdding(null);
      await load();
    } catch (err) {
      setError(describeError(err));
    }
  }

  return (
    <div class="data-grid" data-testid="data-grid" ref={container}>
      <div class="toolbar">
        <button
          type="button"
          class="btn small"
          disabled={trail().length === 0 || loading()}
          onClick={() => void prev()}
        >
          ‹ Prev
        </button>
        <span class="subtle">Page {trail().length + 1}</span>
        <LongTaskStatus task={reader} label="Loading rows" showAfterMs={400} testId="rows-progress" />
        <button
          type="button"
          class="btn small"
          disabled={!page()?.nextCursor || loading()}
          onClick={() => void next()}
        >
          Next ›
        </button>
        <button type="button" class="btn small" onClick={() => void load()} disabled={loading()}>
          Refresh
        </button>
        <Show when={editable()}>
          <button
            type="button"
            class="btn small"
            onClick={() => setAdding(Object.fromEntries((page()?.columns ?? []).map((c) => [c.name, ''])))}
          >
            + Row
          </button>
          <button
            type="button"
            class="btn small danger"
            disabled={selectedRow() === null}
            onClick={removeSelected}
          >
            Delete row
          </button>
          <ImportCsv
            connectionId={props.connectionId}
            schema={props.schema}
            table={props.table}
            onImported={() => void load()}
          />
        </Show>
        <Show when={page() && !editable()}>
          <span class="badge" title="Rows are edited by primary key">
            read-only
          </span>
        </Show>
        <span class="grow" />
        <ExportButtons
          connectionId={props.connectionId}
          source={() => ({ schema: props.schema, table: props.table })}
          filename={props.table}
        />
      </div>
      <FilterBuilder
        columns={page()?.columns ?? []}
        filters={drafts()}
        onChange={(filters) => {
          setDrafts(filters);
          // With no filter rows left there is no Apply button, so removing the last one clears them.
          if (filters.length === 0 && applied().length > 0) setApplied([]);
        }}
        onApply={() => setApplied(drafts().filter((d) => d.column))}
      />
      <Show when={adding()}>
        {(values) => (
          <form class="add-row" onSubmit={insert}>
            <For each={page()?.columns ?? []}>
              {(c) => (
                <label class="field">
                  <span>
                    {c.name} <span class="subtle">{c.type}</span>
                  </span>
                  <input
                    value={values()[c.name] ?? ''}
                    placeholder="default"
                    onInput={(e) => setAdding({ ...values(), [c.name]: e.currentTarget.value })}
                  />
                </label>
              )}
            </For>
            <div class="row">
              <button type="submit" class="btn small primary">
                Insert
              </button>
              <button type="button" class="btn small" onClick={() => setAdding(null)}>
                Cancel
              </button>
            </div>
          </form>
        )}
      </Show>
      <Show when={error()}>
        <p class="alert error" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={page()?.rows.length === 0 && !loading()}>
        <p class="subtle" data-testid="rows-empty">
          {applied().length > 0
            ? 'No rows match these filters: change or remove them.'
            : editable()
              ? 'This table is empty: add a row with + Row, or Import CSV.'
              : 'This table is empty.'}
        </p>
      </Show>
      <Show when={page()}>
        {(p) => (
          <ResultsGrid
            label={`Rows of ${props.table}`}
            columns={p().columns}
            rows={p().rows}
            headerMark={(i) =>
              sort()?.column === p().columns[i]?.name ? (sort()?.direction === 'asc' ? ' ▲' : ' ▼') : ''
            }
            onHeaderClick={cycleSort}
            onSelect={(row) => setSelectedRow(row)}
            rowClass={(i) => (i === selectedRow() ? 'row-selected' : '')}
            resetKey={loads()}
            copyOptions={{ table: `${props.schema}.${props.table}`, quote: props.identifierQuote }}
            onCellActivate={(row, col) => {
              if (!editable()) return;
              setEditing({ row, col, text: cellText(p().rows[row]?.[col]) ?? '' });
            }}
            renderCell={(row, col, value) => {
              const edit = editing();
              if (!edit || edit.row !== row || edit.col !== col) return <CellValue value={value} />;
              return (
                <span class="cell-editor">
                  <input
                    ref={(el) => queueMicrotask(() => el.focus())}
                    value={edit.text}
                    aria-label="Cell value"
                    onInput={(e) => setEditing({ ...edit, text: e.currentTarget.value })}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') void commitEdit(e.currentTarget.value);
                      if (e.key === 'Escape') closeEditor();
                      e.stopPropagation();
                    }}
                  />
                  <button type="button" class="link" title="Set NULL" onClick={() => void commitEdit(null)}>
                    ∅
                  </button>
                </span>
              );
            }}
          />
        )}
      </Show>
    </div>
  );
}
