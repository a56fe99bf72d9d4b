import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../../worker/export/csv.ts';
import { encoderFor, FORMULA_TRIGGER } from '../../../worker/export/encoders.ts';

/**
 * The hand-written CSV writer must be byte-identical to what the export wrote through
 * Papa.unparse before it (same options), so a file downloaded today matches yesterday's.
 */
const papaCell = (value: unknown): unknown =>
  value !== null && typeof value === 'object' ? JSON.stringify(value) : value;

function papaBatch(rows: unknown[][], escapeFormulas: boolean): string {
  if (rows.length === 0) return '';
  const config = { newline: '\r\n', escapeFormulae: escapeFormulas ? FORMULA_TRIGGER : false };
  return `${Papa.unparse(
    rows.map((r) => r.map(papaCell)),
    config,
  )}\r\n`;
}

function papaHead(names: string[], escapeFormulas: boolean): string {
  const config = { newline: '\r\n', escapeFormulae: escapeFormulas ? FORMULA_TRIGGER : false };
  return `${Papa.unparse([names], config)}\r\n`;
}

const CELLS: unknown[] = [
  null,
  undefined,
  '',
  'plain',
  ' lead',
  'trail ',
  ' ',
  'a,b',
  'say "hi"',
  '"',
  'line\nbreak',
  'cr\rhere',
  'crlf\r\nx',
  '\uFEFFbom',
  'tab\tinside',
  '=SUM(A1)',
  '=',
  '+1',
  '+1.5e3',
  '-5',
  '-5x',
  '-.5',
  '@cmd',
  '\tstart',
  '\rstart',
  '=cmd\nmore',
  '="quoted",x',
  ' =lead',
  '12345678901234567890',
  'ünïcødé ✓ 😀',
  0,
  -0,
  -5,
  1.5,
  1e21,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
  12345678901234567890n,
  { $binary: 'AAEC' },
  { a: 'x,y', b: [1, '"q"'] },
  [1, 2, 3],
  ['=x', null],
  { s: ' ' },
];

describe('csv writer', () => {
  for (const escapeFormulas of [false, true]) {
    it(`writes every kind of cell as Papa did (escapeFormulas ${escapeFormulas})`, () => {
      const encoder = encoderFor('csv', { escapeFormulas });
      // Every cell alone, then every pair, so separators and quoting interact.
      const rows: unknown[][] = CELLS.map((c) => [c]);
      for (const a of CELLS) for (const b of CELLS) rows.push([a, b]);
      rows.push([], [null, null, null], CELLS);
      expect(encoder.batch([], rows)).toBe(papaBatch(rows, escapeFormulas));
      for (const row of rows) expect(encoder.batch([], [row])).toBe(papaBatch([row], escapeFormulas));
      expect(encoder.batch([], [])).toBe('');
    });

    it(`writes header names as Papa did (escapeFormulas ${escapeFormulas})`, () => {
      const encoder = encoderFor('csv', { escapeFormulas });
      const names = ['id', 'a,b', ' x', '=cmd', '"q"', '-1', 'ok'];
      const columns = names.map((name) => ({ name, type: 'text' }));
      expect(encoder.head(columns)).toBe(papaHead(names, escapeFormulas));
      expect(encoder.head([])).toBe(papaHead([], escapeFormulas));
    });
  }

  it('escapes a formula only in text, never in numbers or booleans', () => {
    expect(csvCell('=1+1', FORMULA_TRIGGER)).toBe(`"'=1+1"`);
    expect(csvCell('-5', FORMULA_TRIGGER)).toBe('-5');
    expect(csvCell(-5, FORMULA_TRIGGER)).toBe('-5');
    expect(csvCell('=1+1', null)).toBe('=1+1');
  });
});
