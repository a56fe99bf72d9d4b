import { For, Show } from 'solid-js';
import type { ResultColumn } from '../api/queries.ts';
import type { FilterOp, RowFilter } from '../api/rows.ts';
import { FILTER_OPS } from '../stores/table-rows.ts';

/** Filters as the user edits them: every value is text until applied. */
export interface DraftFilter {
  column: string;
  op: FilterOp;
  text: string;
}

export function toRowFilter(f: DraftFilter): RowFilter {
  const spec = FILTER_OPS.find((o) => o.op === f.op);
  if (!spec?.takesValue) return { column: f.column, op: f.op };
  if (f.op === 'in') return { column: f.column, op: f.op, values: f.text.split(',').map((v) => v.trim()) };
  return { column: f.column, op: f.op, value: f.text };
}

/** Rows of column / operator / value, combined with AND. */
export default function FilterBuilder(props: {
  columns: ResultColumn[];
  filters: DraftFilter[];
  onChange: (filters: DraftFilter[]) => void;
  onApply: () => void;
}) {
  const update = (i: number, patch: Partial<DraftFilter>) =>
    props.onChange(props.filters.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  const add = () =>
    props.onChange([...props.filters, { column: props.columns[0]?.name ?? '', op: 'eq', text: '' }]);
  return (
    <form
      class="filter-builder"
      data-testid="filter-builder"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply();
      }}
    >
      <For each={props.filters}>
        {(f, i) => (
          <div class="row filter-row">
            <span class="subtle">{i() === 0 ? 'where' : 'and'}</span>
            <select
              aria-label="Filter column"
              value={f.column}
              onChange={(e) => update(i(), { column: e.currentTarget.value })}
            >
              <For each={props.columns}>{(c) => <option value={c.name}>{c.name}</option>}</For>
            </select>
            <select
              aria-label="Filter operator"
              value={f.op}
              onChange={(e) => update(i(), { op: e.currentTarget.value as FilterOp })}
            >
              <For each={FILTER_OPS}>{(o) => <option value={o.op}>{o.label}</option>}</For>
            </select>
            <Show when={FILTER_OPS.find((o) => o.op === f.op)?.takesValue}>
              <input
                aria-label="Filter value"
                placeholder={f.op === 'in' ? 'a, b, c' : 'value'}
                value={f.text}
                onInput={(e) => update(i(), { text: e.currentTarget.value })}
              />
            </Show>
            <button
              type="button"
              class="link"
              aria-label="Remove filter"
              onClick={() => props.onChange(props.filters.filter((_, j) => j !== i()))}
            >
              ✕
            </button>
          </div>
        )}
      </For>
      <div class="row">
        <button type="button" class="btn small" onClick={add}>
          + Filter
        </button>
        <Show when={props.filters.length > 0}>
          <button type="submit" class="btn small primary">
            Apply
          </button>
        </Show>
      </div>
    </form>
  );
}
