/** The grid's selection model (cell ranges and whole rows) and the elapsed-time format, without a DOM. */
import { describe, expect, it } from 'vitest';
import { createGridSelection } from '../../web/src/components/grid-selection.ts';
import { formatElapsed } from '../../web/src/stores/long-task.ts';

const grid = () => createGridSelection(() => ({ rows: 5, cols: 3 }));

describe('grid selection', () => {
  it('one cell is a 1×1 region; extending makes a rectangle either way round', () => {
    const s = grid();
    expect(s.region()).toBeNull();
    s.selectCell([2, 1]);
    expect(s.region()).toEqual({ rows: [2], cols: [1], wholeRows: false });
    s.selectCell([0, 2], true);
    expect(s.region()).toEqual({ rows: [0, 1, 2], cols: [1, 2], wholeRows: false });
    expect(s.cellCount()).toBe(6);
    expect(s.isSelected(1, 1)).toBe(true);
    expect(s.isSelected(1, 0)).toBe(false);
    expect(s.cursor()).toEqual([0, 2]);
    // A plain move starts again from the new cell.
    s.selectCell([4, 0]);
    expect(s.region()).toEqual({ rows: [4], cols: [0], wholeRows: false });
  });

  it('keeps the cursor inside the grid', () => {
    const s = grid();
    s.selectCell([0, 0]);
    s.selectCell([-1, 9], true);
    expect(s.region()).toEqual({ rows: [0], cols: [0, 1, 2], wholeRows: false });
  });

  it('rows by number: click, Shift for a range, toggle; a whole row takes every column', () => {
    const s = grid();
    s.pickRow(1, { shift: false, toggle: false });
    s.pickRow(3, { shift: true, toggle: false });
    expect(s.region()).toEqual({ rows: [1, 2, 3], cols: [0, 1, 2], wholeRows: true });
    s.pickRow(2, { shift: false, toggle: true });
    expect(s.rows()).toEqual([1, 3]);
    expect(s.isSelected(3, 0)).toBe(true);
    // Picking a cell leaves row mode.
    s.selectCell([0, 0]);
    expect(s.rows()).toEqual([]);
    s.selectAllRows();
    expect(s.rows()).toEqual([0, 1, 2, 3, 4]);
    s.clear();
    expect(s.region()).toBeNull();
  });
});

describe('formatElapsed', () => {
  it('tenths of a second under a minute, then minutes and seconds', () => {
    expect(formatElapsed(0)).toBe('0.0 s');
    expect(formatElapsed(1_349)).toBe('1.3 s');
    expect(formatElapsed(59_900)).toBe('59.9 s');
    expect(formatElapsed(125_000)).toBe('2:05');
  });
});
