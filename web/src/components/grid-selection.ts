import { createSignal } from 'solid-js';

export type Cell = readonly [row: number, col: number];

/** What a copy takes: these rows (ascending) and these columns (ascending) of the result. */
export interface CopyRegion {
  rows: number[];
  cols: number[];
  /** Whole rows picked by their numbers, rather than a range of cells. */
  wholeRows: boolean;
}

const span = (a: number, b: number) => {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
};

/**
 * A grid's selection, as the spreadsheets people know it: a cursor cell, and a rectangle from
 * an anchor cell to the cursor (Shift+click, Shift+arrows); or whole rows by their numbers
 * (click, Shift-click for a range, Ctrl/⌘-click to toggle, Ctrl/⌘+A). Positions only: the grid
 * clears it when its rows are replaced.
 */
export function createGridSelection(size: () => { rows: number; cols: number }) {
  const [cursor, setCursor] = createSignal<Cell | null>(null);
  const [anchor, setAnchor] = createSignal<Cell | null>(null);
  const [rows, setRows] = createSignal<number[]>([]);
  let rowAnchor = 0;

  const clamp = ([r, c]: Cell): Cell => [
    Math.max(0, Math.min(size().rows - 1, r)),
    Math.max(0, Math.min(size().cols - 1, c)),
  ];

  /** Moves the cursor; `extend` keeps the anchor, so the rectangle grows or shrinks. */
  function selectCell(cell: Cell, extend = false) {
    const at = clamp(cell);
    setRows([]);
    if (!extend || !anchor()) setAnchor(at);
    setCursor(at);
  }

  function pickRow(row: number, how: { shift: boolean; toggle: boolean }) {
    setAnchor(null);
    setCursor(null);
    if (how.shift) setRows(span(rowAnchor, row));
    else if (how.toggle) {
      rowAnchor = row;
      setRows((all) =>
        all.includes(row) ? all.filter((r) => r !== row) : [...all, row].sort((a, b) => a - b),
      );
    } else {
      rowAnchor = row;
      setRows([row]);
    }
  }

  function selectAllRows() {
    if (size().rows === 0) return;
    rowAnchor = 0;
    setAnchor(null);
    setCursor(null);
    setRows(span(0, size().rows - 1));
  }

  function clear() {
    setCursor(null);
    setAnchor(null);
    setRows([]);
  }

  /** The rectangle's rows and columns, or null when there is no cursor. */
  const range = () => {
    const at = cursor();
    const from = anchor() ?? at;
    return at && from ? { rows: span(from[0], at[0]), cols: span(from[1], at[1]) } : null;
  };

  const cellCount = () => {
    const r = range();
    return r ? r.rows.length * r.cols.length : 0;
  };

  function isSelected(row: number, col: number): boolean {
    if (rows().includes(row)) return true;
    const at = cursor();
    const from = anchor() ?? at;
    if (!at || !from) return false;
    const inside = (v: number, a: number, b: number) => v >= Math.min(a, b) && v <= Math.max(a, b);
    return inside(row, from[0], at[0]) && inside(col, from[1], at[1]);
  }

  /** What Copy takes: picked rows (every column), else the cell rectangle; null when nothing is selected. */
  function region(): CopyRegion | null {
    if (rows().length > 0) return { rows: rows(), cols: span(0, size().cols - 1), wholeRows: true };
    const r = range();
    return r ? { ...r, wholeRows: false } : null;
  }

  return {
    cursor,
    rows,
    cellCount,
    selectCell,
    pickRow,
    selectAllRows,
    clear,
    isSelected,
    region,
  };
}

export type GridSelection = ReturnType<typeof createGridSelection>;
