import Papa from 'papaparse';
import type { ColumnMeta } from '../engines/engine.ts';

export const EXPORT_FORMATS = ['csv', 'ndjson', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Turns batches of rows into text, one piece at a time, so nothing holds the whole result. */
export interface Encoder {
  readonly contentType: string;
  readonly extension: string;
  head(columns: ColumnMeta[]): string;
  batch(columns: ColumnMeta[], rows: unknown[][]): string;
  tail(): string;
}

/** CSV cells: NULL is empty, structured values (json, arrays, binary) are their JSON text. */
const csvCell = (value: unknown): unknown =>
  value !== null && typeof value === 'object' ? JSON.stringify(value) : value;

const toObject = (columns: ColumnMeta[], row: unknown[]) =>
  Object.fromEntries(columns.map((c, i) => [c.name, row[i] ?? null]));

/**
 * RFC 4180 CSV through Papa.unparse, batch by batch: fields holding the
 * delimiter, quotes, CR/LF or edge spaces are quoted and quotes doubled.
 * Values are written as they are (no formula escaping), so an import of the
 * file gives back the same data.
 */
function csv(): Encoder {
  return {
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    head: (columns) => `${Papa.unparse([columns.map((c) => c.name)])}\r\n`,
    batch: (_columns, rows) =>
      rows.length === 0
        ? ''
        : `${Papa.unparse(
            rows.map((r) => r.map(csvCell)),
            { newline: '\r\n' },
          )}\r\n`,
    tail: () => '',
  };
}

function ndjson(): Encoder {
  return {
    contentType: 'application/x-ndjson; charset=utf-8',
    extension: 'ndjson',
    head: () => '',
    batch: (columns, rows) => rows.map((r) => `${JSON.stringify(toObject(columns, r))}\n`).join(''),
    tail: () => '',
  };
}

/** A JSON array of row objects, written as it goes (`[`, rows with commas, `]`). */
function json(): Encoder {
  let first = true;
  return {
    contentType: 'application/json; charset=utf-8',
    extension: 'json',
    head: () => '[',
    batch: (columns, rows) =>
      rows
        .map((r) => {
          const piece = `${first ? '\n' : ',\n'}${JSON.stringify(toObject(columns, r))}`;
          first = false;
          return piece;
        })
        .join(''),
    tail: () => (first ? ']\n' : '\n]\n'),
  };
}

export function encoderFor(format: ExportFormat): Encoder {
  return format === 'csv' ? csv() : format === 'ndjson' ? ndjson() : json();
}
