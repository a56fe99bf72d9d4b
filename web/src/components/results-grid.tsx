import { createVirtualizer } from '@tanstack/solid-virtual';
import { createComputed, createMemo, createSignal, createUniqueId, For, type JSX, on, Show } from 'solid-js';
import { type CopyFormat, type CopyOptions, copyAs } from '../lib/copy-as.ts';
import type { ResultColumn } from '../stores/query-runner.ts';
import { cellText, copyText, guessWidth } from './cell-value.ts';
import GridFooter from './grid-footer.tsx';
import { createGridSelection } from './grid-selection.ts';
import '../styles/data/grid.css';

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
  /** A double-click, or Enter/F2 on the cursor cell (the data grid opens its editor). */
  onCellActivate?: (rowIndex: number, columnIndex: number) => void;
  /** The grid's accessible name; "Results" unless given. */
  label?: string;
  /** For SQL INSERT copies: the table the rows came from (a query result has none). */
  copyOptions?: CopyOptions;
  /**
   * The selection is cleared when this changes (by default, when the rows are replaced): the data
   * grid changes it on a reload but not on an edit in place, which keeps every row where it was.
   */
  resetKey?: unknown;
}

/**
 * A virtualized result table: only the visible rows are in the DOM, so 10,000
 * rows scroll as smoothly as 10. Columns resize by dragging the header edge. A range of
 * cells is selected with Shift+click or Shift+arrows, whole rows by their number (Shift-click
 * for a range, Mod-click to toggle) or Mod-A; Mod-C copies the selection as TSV (one cell as
 * its bare value), and the footer copies it as TSV, CSV, JSON, Markdown or SQL INSERT.
 */
export default function ResultsGrid(props: ResultsGridProps) {
  let scroller!: HTMLDivElement;
  const [widths, setWidths] = createSignal<number[]>([]);
  const [copied, setCopied] = createSignal(false);
  const selection = createGridSelection(() => ({ rows: props.rows.length, cols: props.columns.length }));
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
      () => (props.resetKey === undefined ? props.rows : props.resetKey),
      () => selection.clear(),
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
    const region = selection.region();
    if (!region) return;
    const single = !region.wholeRows && region.rows.length === 1 && region.cols.length === 1;
    const text = single
      ? copyText(props.rows[region.rows[0] ?? 0]?.[region.cols[0] ?? 0])
      : copyAs(
          format,
          region.cols.map((c) => props.columns[c]?.name ?? ''),
          region.rows.map((r) => region.cols.map((c) => props.rows[r]?.[c])),
          props.copyOptions,
        );
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1200);
    } catch {
      // Clipboard permission refused (insecure origin, denied prompt): the cells stay selected to copy by hand.
    }
  }

  function onKeyDown(event: KeyboardEvent) {
    const mod = event.metaKey || event.ctrlKey;
    // A cell editor inside the grid keeps its own keys.
    if ((event.target as Element).closest('input, textarea, [contenteditable="true"]')) return;
    if (mod && event.key.toLowerCase() === 'c') {
      event.preventDefault();
      void copySelected();
      return;
    }
    if (mod && event.key.toLowerCase() === 'a' && props.rows.length > 0) {
      event.preventDefault();
      selection.selectAllRows();
      return;
    }
    const at = selection.cursor();
    if (at && (event.key === 'Enter' || event.key === 'F2') && props.onCellActivate) {
      event.preventDefault();
      props.onCellActivate(at[0], at[1]);
      return;
    }
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const step = moves[event.key];
    if (!step || props.rows.length === 0 || props.columns.length === 0) return;
    event.preventDefault();
    // The first arrow key on a focused grid selects its first cell, so the keyboard alone can start.
    select(at ? [at[0] + step[0], at[1] + step[1]] : [0, 0], event.shiftKey && at !== null);
  }

  /** Moves the cursor (growing the range when `extend`) and keeps it in view. */
  function select(cell: readonly [number, number], extend = false) {
    selection.selectCell(cell, extend);
    const at = selection.cursor();
    if (!at) return;
    props.onSelect?.(at[0], at[1]);
    virtualizer.scrollToIndex(at[0]);
  }

  // One delegated handler per event: cells and resize handles carry data-* coordinates.
  function onClick(event: MouseEvent) {
    const rowNumber = (event.target as Element).closest<HTMLElement>('[data-rownum]');
    if (rowNumber) {
      selection.pickRow(Number(rowNumber.dataset.rownum), {
        shift: event.shiftKey,
        toggle: event.metaKey || event.ctrlKey,
      });
      return;
    }
    const cell = (event.target as Element).closest<HTMLElement>('[data-cell]');
    if (!cell || cell.querySelector('input')) return;
    select([Number(cell.dataset.row), Number(cell.dataset.col)], event.shiftKey);
  }

  function onDblClick(event: MouseEvent) {
    const cell = (event.target as Element).closest<HTMLElement>('[data-cell]');
    if (cell) props.onCellActivate?.(Number(cell.dataset.row), Number(cell.dataset.col));
  }

  function onPointerDown(event: PointerEvent) {
    const handle = (event.target as Element).closest<HTMLElement>('[data-resize]');
    if (handle) startResize(Number(handle.dataset.resize), event, handle);
  }

  const cellId = (row: number, col: number) => `${gridId}-${row}-${col}`;
  const active = () => {
    const at = selection.cursor();
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
                class={`grid-row ${props.rowClass?.(item.index) ?? ''} ${selection.rows().includes(item.index) ? 'row-selected' : ''}`}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={selection.rows().includes(item.index)}
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
                    const isSelected = () => selection.isSelected(item.index, col());
                    const isCursor = () => {
                      const at = selection.cursor();
                      return at !== null && at[0] === item.index && at[1] === col();
                    };
                    return (
                      <div
                        class="grid-cell"
                        classList={{ selected: isSelected(), cursor: isCursor() }}
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
      <GridFooter
        rowCount={props.rows.length}
        truncated={props.truncated === true}
        selection={selection}
        copied={copied()}
        onCopy={(format) => void copySelected(format)}
      />
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
