import { sql } from 'kysely';
import { type Engine, EngineError } from '../engines/engine.ts';
import { col, sqlBuilder, tableId } from '../engines/sql-builder.ts';
import { ApiError, badRequest } from '../errors.ts';
import { type LiveTable, requireColumns } from '../table-data/catalog.ts';

export interface ImportOptions {
  /** Empty fields become NULL (CSV cannot tell an empty string from a missing value). */
  emptyAsNull: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface RowError {
  /** 1-based record number after the header. */
  row: number;
  code: string;
  message: string;
}

export interface ImportResult {
  inserted: number;
  failed: number;
  /** The first MAX_REPORTED_ERRORS failures; `failed` counts them all. */
  errors: RowError[];
  batches: number;
}

const MAX_REPORTED_ERRORS = 100;
const MAX_BATCH_ROWS = 500;
/** Bound parameters per statement: D1 allows 100; Postgres and MySQL 65,535 (kept well below). */
const MAX_PARAMS = { postgres: 30_000, mysql: 30_000, sqlite: 100 } as const;

/**
 * Inserts CSV records in multi-row INSERTs, each its own statement so earlier
 * batches stay committed. A batch the database refuses is split in halves until
 * each bad record stands alone, so one bad record costs only itself and is reported with the database's
 * error. A failure that is not about the data (connection, timeout) stops the
 * import; the batches before it stay.
 */
export async function importCsv(
  engine: Engine,
  info: LiveTable,
  records: AsyncIterable<string[]>,
  options: ImportOptions,
): Promise<ImportResult> {
  if (info.kind !== 'table')
    throw new ApiError(409, 'read_only_table', 'Rows can only be imported into a table');
  const result: ImportResult = { inserted: 0, failed: 0, errors: [], batches: 0 };
  let header: string[] | null = null;
  let batch: { row: number; values: (string | null)[] }[] = [];
  let batchRows = MAX_BATCH_ROWS;
  let rowNumber = 0;

  const fail = (row: number, code: string, message: string) => {
    result.failed++;
    if (result.errors.length < MAX_REPORTED_ERRORS) result.errors.push({ row, code, message });
  };
  const insert = async (rows: typeof batch) => {
    const columns = header!;
    const compiled =
      sql`insert into ${tableId(engine.name, info.schema, info.table)} (${sql.join(columns.map((c) => col(c)))}) values ${sql.join(rows.map((r) => sql`(${sql.join(r.values)})`))}`.compile(
        sqlBuilder(engine.name),
      );
    await engine.query(compiled.sql, {
      params: compiled.parameters,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
  };
  /** Inserts `rows`; a refused group is halved until each bad record stands alone (log2 statements per bad row). */
  const insertOrSplit = async (rows: typeof batch): Promise<void> => {
    try {
      await insert(rows);
      result.inserted += rows.length;
    } catch (err) {
      if (!isDataError(err)) throw err;
      if (rows.length === 1) return fail(rows[0]!.row, codeOf(err), (err as Error).message);
      const half = Math.ceil(rows.length / 2);
      await insertOrSplit(rows.slice(0, half));
      await insertOrSplit(rows.slice(half));
    }
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    result.batches++;
    await insertOrSplit(rows);
  };

  for await (const record of records) {
    if (!header) {
      header = record.map((h) => h.trim());
      if (new Set(header).size !== header.length)
        throw badRequest('invalid_csv', 'The header names a column twice');
      requireColumns(info, header);
      batchRows = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMS[engine.name] / header.length)));
      continue;
    }
    rowNumber++;
    if (record.length !== header.length) {
      fail(rowNumber, 'column_count', `Expected ${header.length} fields, found ${record.length}`);
      continue;
    }
    batch.push({ row: rowNumber, values: record.map((v) => (options.emptyAsNull && v === '' ? null : v)) });
    if (batch.length >= batchRows) await flush();
  }
  if (!header) throw badRequest('invalid_csv', 'The CSV is empty; the first line must name the columns');
  await flush();
  return result;
}

const isDataError = (err: unknown) => err instanceof EngineError && err.code === 'query_error';
const codeOf = (err: unknown) => (err instanceof EngineError && err.dbCode ? err.dbCode : 'query_error');
