import { createVirtualizer } from '@tanstack/solid-virtual';
import { createComputed, createMemo, createSignal, createUniqueId, For, type JSX, on, Show } from 'solid-js';
import { COPY_FORMATS, type CopyFormat, copyAs } from '../lib/copy-as.ts';
import type { ResultColumn } from '../stores/query-runner.ts';
import { cellText, copyText, guessWidth } from './cell-value.ts';

const ROW_HEIGHT = 28;
const ROW_NUMBER_WIDTH = 56;

export interface ResultsGridProps {
  columns: ResultColumn[];
  rows: unknown[][];
  truncated?: boolean;
  /** Optional per-cell rendering override (the data grid's editors). */
  renderCell?: (rowIndex: number, columnIndex: number, value: unknown) => JSX.Element;
  /** Extra class per row (the data grid marks edited/deleted rows). */
  rowClass?: (rowIndex: number) => string;
  onSelect?: (rowIndex: number, columnIndex: number) => void;
  /** Header clicks (the data grid sorts); the returned mark is shown after the name. */
  onHeaderClick?: (columnIndex: number) => void;
  headerMark?: (columnIndex: number) => string;
  onCellDoubleClick?: (rowIndex: number, columnIndex: number) => void;
  /** The grid's accessible name; "Results" unless given. */
  label?: string;
}

/**
 * A virtualized result table: only the visible rows are in the DOM, so 10,000
 * rows scroll as smoothly as 10. Columns resize by dragging the header edge;
 * Mod-C copies the selected cell, or the selected rows as TSV. Rows are selected by
 * their number (Shift-click for a range, Mod-click to toggle), Shift+↑/↓ or Mod-A,
 * and copy as TSV, CSV, JSON, Markdown or SQL INSERT from the footer.
 */
export default function ResultsGrid(props: ResultsGridProps) {
  let scroller!: HTMLDivElement;
  const [widths, setWidths] = createSignal<number[]>([]);
  const [selected, setSelected] = createSignal<[number, number] | null>(null);
  const [copied, setCopied] = createSignal(false);
  /** Selected rows, ascending; `anchor` is where a Shift range starts. */
  const [rowSelection, setRowSelection] = createSignal<number[]>([]);
  let anchor = 0;
  const gridId = createUniqueId();

  // Widths reset when the column set changes (a new result), not on every row change.
  const columnKey = createMemo(() => props.columns.map((c) => c.name).join('\u0000'));
  createComputed(
    on(columnKey, () =>
      setWidths(
        props.columns.map((c, i) =>
          guessWidth(
            c.name,
            props.rows.slice(0, 50).map((r) => r[i]),
          ),
        ),
      ),
    ),
  );

  // A selected cell is a position: once the rows are replaced (a reload, another page) it would point at a different row.
  createComputed(
    on(
      () => props.rows,
      () => {
        setSelected(null);
        setRowSelection([]);
      },
      { defer: true },
    ),
  );

  const template = () =>
    `${ROW_NUMBER_WIDTH}px ${widths()
      .map((w) => `${w}px`)
      .join(' ')}`;
  const totalWidth = () => ROW_NUMBER_WIDTH + widths().reduce((a, b) => a + b, 0);

  const virtualizer = createVirtualizer({
    get count() {
      return props.rows.length;
    },
    getScrollElement: () => scroller,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  function startResize(index: number, event: PointerEvent, handle: HTMLElement) {
    event.preventDefault();
    event.stopPropagation();
    handle.setPointerCapture(event.pointerId);
    const startX = event.clientX;
    const startWidth = widths()[index] ?? 100;
    const move = (e: PointerEvent) => {
      const next = Math.max(48, startWidth + e.clientX - startX);
      setWidths((all) => all.map((w, i) => (i === index ? next : w)));
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  }

  async function copySelected(format: CopyFormat = 'tsv') {
    const rows = rowSelection();
    const at = selected();
    let text: string;
    if (rows.length > 0) {
      const names = props.columns.map((c) => c.name);
      text = copyAs(
        format,
        names,
        rows.map((i) => props.rows[i] ?? []),
      );
    } else if (at) text = copyText(props.rows[at[0]]?.[at[1]]);
    else return;
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1200);
    } catch {
      // Clipboard permission refused (insecure origin, denied prompt): the cell stays selected to copy by hand.
    }
  }

  /** Selects rows `from`..`to` inclusive, either way round. */
  function selectRange(from: number, to: number) {
    const [lo, hi] = from <= to ? [from, to] : [to, from];
    setRowSelection(Array.from({ length: hi - lo + 1 }, (_, i) => lo + i));
  }

  function pickRow(row: number, event: MouseEvent) {
    if (event.shiftKey) selectRange(anchor, row);
    else if (event.metaKey || event.ctrlKey) {
      anchor = row;
      setRowSelection((all) =>
        all.includes(row) ? all.filter((r) => r !== row) : [...all, row].sort((a, b) => a - b),
      );
    } else {
      anchor = row;
      setRowSelection([row]);
    }
  }

  function onKeyDown(event: KeyboardEvent) {
    const mod = event.metaKey || event.ctrlKey;
    // A cell editor inside the grid keeps its own copy and select-all.
    const inEditor = (event.target as Element).closest('input, textarea, [contenteditable="true"]');
    if (mod && !inEditor && event.key.toLowerCase() === 'c') {
      event.preventDefault();
      void copySelected();
      return;
    }
    if (mod && !inEditor && event.key.toLowerCase() === 'a' && props.rows.length > 0) {
      event.preventDefault();
      anchor = 0;
      selectRange(0, props.rows.length - 1);
      return;
    }
    const at = selected();
    if (!at) {
      // The first arrow key on a focused grid selects its first cell, so the keyboard alone can start.
      if (event.key.startsWith('Arrow') && props.rows.length > 0 && props.columns.length > 0) {
        event.preventDefault();
        select(0, 0);
      }
      return;
    }
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const step = moves[event.key];
    if (!step) return;
    event.preventDefault();
    const row = Math.max(0, Math.min(props.rows.length - 1, at[0] + step[0]));
    const col = Math.max(0, Math.min(props.columns.length - 1, at[1] + step[1]));
    // Shift+↑/↓ grows a row selection from where it started; a plain move drops it.
    if (event.shiftKey && step[0] !== 0) {
      if (rowSelection().length === 0) anchor = at[0];
      selectRange(anchor, row);
    } else setRowSelection([]);
    select(row, col);
    virtualizer.scrollToIndex(row);
  }

  function select(row: number, col: number) {
    setSelected([row, col]);
    props.onSelect?.(row, col);
  }

  // One delegated handler per event: cells and resize handles carry data-* coordinates.
  function onClick(event: MouseEvent) {
    const rowNumber = (event.target as Element).closest<HTMLElement>('[data-rownum]');
    if (rowNumber) {
      pickRow(Number(rowNumber.dataset.rownum), event);
      return;
    }
    const cell = (event.target as Element).closest<HTMLElement>('[data-cell]');
    if (!cell) return;
    setRowSelection([]);
    select(Number(cell.dataset.row), Number(cell.dataset.col));
  }

  function onDblClick(event: MouseEvent) {
    const cell = (event.target as Element).closest<HTMLElement>('[data-cell]');
    if (cell) props.onCellDoubleClick?.(Number(cell.dataset.row), Number(cell.dataset.col));
  }

  function onPointerDown(event: PointerEvent) {
    const handle = (event.target as Element).closest<HTMLElement>('[data-resize]');
    if (handle) startResize(Number(handle.dataset.resize), event, handle);
  }

  const cellId = (row: number, col: number) => `${gridId}-${row}-${col}`;
  const active = () => {
    const at = selected();
    return at ? cellId(at[0], at[1]) : undefined;
  };

  // The ARIA grid pattern with aria-activedescendant: focus stays on the grid and the selected
  // cell is announced, so cells need no tab stop of their own. Virtualized rows are absolutely
  // positioned, which <table> layout forbids, hence divs with roles.
  // biome-ignore-start lint/a11y/useSemanticElements: see above
  // biome-ignore-start lint/a11y/useFocusableInteractive: see above
  return (
    <div class="results-grid">
      <div
        class="grid-scroll"
        ref={scroller}
        role="grid"
        tabIndex={0}
        aria-rowcount={props.rows.length + 1}
        aria-colcount={props.columns.length + 1}
        aria-label={props.label ?? 'Results'}
        aria-activedescendant={active()}
        onKeyDown={onKeyDown}
        onClick={onClick}
        onDblClick={onDblClick}
        onPointerDown={onPointerDown}
        data-testid="results-grid"
      >
        <div
          class="grid-header"
          role="row"
          aria-rowindex={1}
          style={{ 'grid-template-columns': template(), width: `${totalWidth()}px` }}
        >
          <div class="grid-cell grid-rownum" role="columnheader">
            #
          </div>
          <For each={props.columns}>
            {(column, i) => (
              <div class="grid-cell grid-head" role="columnheader" title={`${column.name} (${column.type})`}>
                <button
                  type="button"
                  class="grid-head-button"
                  disabled={!props.onHeaderClick}
                  onClick={() => props.onHeaderClick?.(i())}
                >
                  <span class="grid-head-name">
                    {column.name}
                    {props.headerMark?.(i()) ?? ''}
                  </span>
                  <span class="grid-head-type">{column.type}</span>
                </button>
                <span class="grid-resize" data-resize={i()} aria-hidden="true" />
              </div>
            )}
          </For>
        </div>
        <div
          class="grid-body"
          role="rowgroup"
          style={{ height: `${virtualizer.getTotalSize()}px`, width: `${totalWidth()}px` }}
        >
          <For each={virtualizer.getVirtualItems()}>
            {(item) => (
              <div
                // One class string, not classList: a changing `class` would wipe classList's additions.
                class={`grid-row ${props.rowClass?.(item.index) ?? ''} ${rowSelection().includes(item.index) ? 'row-selected' : ''}`}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={rowSelection().includes(item.index)}
                style={{
                  'grid-template-columns': template(),
                  transform: `translateY(${item.start}px)`,
                  height: `${ROW_HEIGHT}px`,
                }}
              >
                <div
                  class="grid-cell grid-rownum"
                  role="rowheader"
                  data-rownum={item.index}
                  title="Select row (Shift: range, Ctrl/⌘: toggle)"
                >
                  {item.index + 1}
                </div>
                <For each={props.columns}>
                  {(_, col) => {
                    const value = () => props.rows[item.index]?.[col()];
                    const isSelected = () => {
                      const at = selected();
                      return at !== null && at[0] === item.index && at[1] === col();
                    };
                    return (
                      <div
                        class="grid-cell"
                        classList={{ selected: isSelected() }}
                        role="gridcell"
                        id={cellId(item.index, col())}
                        aria-selected={isSelected()}
                        data-cell=""
                        data-row={item.index}
                        data-col={col()}
                      >
                        {props.renderCell ? (
                          props.renderCell(item.index, col(), value())
                        ) : (
                          <CellValue value={value()} />
                        )}
                      </div>
                    );
                  }}
                </For>
              </div>
            )}
          </For>
        </div>
      </div>
      <div class="grid-footer">
        <span data-testid="row-count">
          {props.rows.length} row{props.rows.length === 1 ? '' : 's'}
        </span>
        <Show when={props.truncated}>
          <span class="badge warn" title="More rows exist than the row limit">
            truncated
          </span>
        </Show>
        <Show
          when={rowSelection().length > 0}
          fallback={
            <Show when={selected()}>
              <button type="button" class="link" onClick={() => void copySelected()}>
                {copied() ? 'Copied' : 'Copy cell'}
              </button>
            </Show>
          }
        >
          <span role="group" class="row copy-as" aria-label="Copy selected rows as" data-testid="copy-as">
            <span data-testid="selected-rows">
              {rowSelection().length} selected · {copied() ? 'Copied' : 'Copy as'}
            </span>
            <For each={COPY_FORMATS}>
              {(f) => (
                <button
                  type="button"
                  class="link"
                  aria-label={`Copy selected rows as ${f.label}`}
                  onClick={() => void copySelected(f.format)}
                >
                  {f.label}
                </button>
              )}
            </For>
          </span>
        </Show>
      </div>
    </div>
  );
  // biome-ignore-end lint/a11y/useFocusableInteractive: see above
  // biome-ignore-end lint/a11y/useSemanticElements: see above
}

export function CellValue(props: { value: unknown }) {
  const text = () => cellText(props.value);
  return (
    <Show when={text() !== null} fallback={<span class="null">NULL</span>}>
      <span class="value" title={text()!.length > 40 ? text()! : undefined}>
        {text()}
      </span>
    </Show>
  );
}
