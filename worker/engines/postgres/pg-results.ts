/**
 * PostgreSQL results as the engine returns them: the driver's raw rows (from `neon()` or from a
 * portal, pg-portal.ts) shaped into a `StatementResult`, with user-type arrays parsed once their
 * OIDs are named.
 */
import type { FieldDef } from '@neondatabase/serverless';
import type { ColumnMeta, StatementResult } from '../engine.ts';
import { type PgTypeInfo, pgParser, pgTypeName, pgUserArray } from './postgres-values.ts';

const WRITE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);
/** Our parsers for every type, in place of the driver's (which make Dates and lose precision). */
export const types = { getTypeParser: (oid: number) => pgParser(oid) };

export type RawResult = {
  fields: FieldDef[];
  rows: unknown[][];
  command: string;
  rowCount: number | null;
  truncatedReason?: 'rows' | 'bytes';
};

export function columnsOf(
  fields: FieldDef[] | undefined,
  resolved: ReadonlyMap<number, PgTypeInfo>,
): ColumnMeta[] {
  return (fields ?? []).map((f) => ({ name: f.name, type: pgTypeName(f.dataTypeID, resolved) }));
}

/** Parses, in place, the columns holding arrays of user types (text until their OIDs were known). */
export function parseUserArrays(raw: RawResult, resolved: ReadonlyMap<number, PgTypeInfo>): void {
  (raw.fields ?? []).forEach((f, col) => {
    const element = resolved.get(f.dataTypeID)?.arrayElement;
    if (element === undefined || element === null) return;
    for (const row of raw.rows) row[col] = pgUserArray(row[col], element);
  });
}

export function toResult(
  raw: RawResult,
  started: number,
  maxRows: number | undefined,
  notices: string[],
  resolved: ReadonlyMap<number, PgTypeInfo>,
): StatementResult {
  const rows = raw.rows ?? [];
  const reason = raw.truncatedReason ?? (maxRows !== undefined && rows.length > maxRows ? 'rows' : undefined);
  const command = raw.command || null;
  parseUserArrays(raw, resolved);
  return {
    columns: columnsOf(raw.fields, resolved),
    rows: maxRows !== undefined && rows.length > maxRows ? rows.slice(0, maxRows) : rows,
    affectedRows: command && WRITE_COMMANDS.has(command) ? (raw.rowCount ?? 0) : null,
    truncated: reason !== undefined,
    ...(reason ? { truncatedReason: reason } : {}),
    command,
    notices,
    durationMs: Date.now() - started,
  };
}
