/**
 * Reading catalog rows: drivers hand back catalog values in different shapes (HTTP drivers often
 * send strings), so introspectors read every field through these.
 */
import type { StatementResult } from './engine.ts';

export type Row = Record<string, unknown>;

/** Turns positional rows into records keyed by column name. */
export function records(result: StatementResult): Row[] {
  const names = result.columns.map((c) => c.name);
  return result.rows.map((values) => {
    const row: Row = {};
    names.forEach((name, i) => {
      row[name] = values[i];
    });
    return row;
  });
}

/** Drivers differ in how they hand back catalog values (HTTP drivers often send strings). */
export const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
export const numOrNull = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
};
export const bool = (v: unknown): boolean =>
  v === true || v === 1 || v === '1' || v === 't' || v === 'true' || v === 'YES';

/** A JSON value that may arrive parsed (json columns) or as text. */
export function jsonValue<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}
