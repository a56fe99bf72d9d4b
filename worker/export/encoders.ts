import type { ColumnMeta } from '../engines/engine.ts';
import { csvLines } from './csv.ts';

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

const toObject = (columns: ColumnMeta[], row: unknown[]) =>
  Object.fromEntries(columns.map((c, i) => [c.name, row[i] ?? null]));

/**
 * Cells a spreadsheet would run as a formula (OWASP "CSV injection"): text that
 * starts with `=`, `+`, `-`, `@`, tab or CR. A cell that is exactly a number
 * (`-5`, `+1.5e3`) is left alone even though it starts with a sign: numeric and
 * big-integer columns arrive as strings (exact digits), a spreadsheet reads such
 * a cell as a plain number, and a plain number cannot call anything; prefixing
 * it would turn every negative amount into text. No `.*$`, so a multi-line cell
 * (`=cmd\nmore`) is caught too.
 */
export const FORMULA_TRIGGER = /^(?![-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$)[=+\-@\t\r]/;

export interface EncoderOptions {
  /** CSV only: prefix formula-like text cells with `'` and quote them. */
  escapeFormulas: boolean;
}

/**
 * RFC 4180 CSV (csv.ts), batch by batch: fields holding the delimiter, quotes, CR/LF or edge
 * spaces are quoted and quotes doubled; NULL is empty and structured values (json, arrays,
 * binary) are their JSON text. With `escapeFormulas`, text cells matching FORMULA_TRIGGER get a
 * leading `'` and are quoted (number and boolean values are never touched); header names are
 * escaped too, since a query's column aliases are caller text. Without it values are written as
 * they are, so an import gives back the same data.
 */
function csv(options: EncoderOptions): Encoder {
  const formula = options.escapeFormulas ? FORMULA_TRIGGER : null;
  return {
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    head: (columns) => csvLines([columns.map((c) => c.name)], formula),
    batch: (_columns, rows) => csvLines(rows, formula),
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

export function encoderFor(format: ExportFormat, options: EncoderOptions): Encoder {
  return format === 'csv' ? csv(options) : format === 'ndjson' ? ndjson() : json();
}
