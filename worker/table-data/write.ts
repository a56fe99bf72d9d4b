import { type Expression, type ExpressionBuilder, expressionBuilder, type SqlBool, sql } from 'kysely';
import type { Engine } from '../engines/engine.ts';
import { type AnyDB, col, rowObjects, sqlBuilder, tableId } from '../engines/sql-builder.ts';
import { ApiError, badRequest, conflict } from '../errors.ts';
import { columnOf, type LiveTable, requireColumns } from './catalog.ts';
import { comparable, toParam } from './values.ts';

type Values = Record<string, unknown>;

export interface WriteOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface WriteResult {
  affectedRows: number;
  /** The row as stored, when the engine can say (RETURNING or a re-read by key); else null. */
  row: Values | null;
  sql: string;
}

/** Row edits address rows by primary key, so a table without one is read-only here. */
function requireKey(info: LiveTable): string[] {
  if (info.kind !== 'table' || info.primaryKey.length === 0) {
    throw new ApiError(
      409,
      'read_only_table',
      `${info.schema}.${info.table} has no primary key, so its rows cannot be edited here; use a query instead`,
    );
  }
  return info.primaryKey;
}

function keyValues(info: LiveTable, key: Values): unknown[] {
  const pk = requireKey(info);
  const names = Object.keys(key);
  if (names.length !== pk.length || pk.some((k) => !(k in key))) {
    throw badRequest('invalid_key', `The key must give exactly the primary-key columns: ${pk.join(', ')}`);
  }
  return pk.map((name) => key[name]);
}

function nonEmpty(values: Values, what: string): string[] {
  const names = Object.keys(values);
  if (names.length === 0) throw badRequest('invalid_request', `${what} must name at least one column`);
  return names;
}

type EB = ExpressionBuilder<AnyDB, string>;

/**
 * WHERE key = … AND every comparable original value still holds. A row someone
 * else changed (or deleted) matches nothing, and the caller answers 409.
 */
function matchRow(eb: EB, info: LiveTable, key: Values, original: Values): Expression<SqlBool> {
  const terms: Expression<SqlBool>[] = info.primaryKey.map((name) => eb(col(name), '=', toParam(key[name])));
  for (const [name, value] of Object.entries(original)) {
    if (info.primaryKey.includes(name)) continue;
    if (!comparable(columnOf(info, name), value)) continue;
    terms.push(value === null ? eb(col(name), 'is', null) : eb(col(name), '=', toParam(value)));
  }
  return eb.and(terms);
}

async function readByKey(
  engine: Engine,
  info: LiveTable,
  key: Values,
  options: WriteOptions,
): Promise<Values | null> {
  const query = sqlBuilder(engine.name)
    .selectFrom(tableId(engine.name, info.schema, info.table).as('t'))
    .selectAll()
    .where((eb) => eb.and(info.primaryKey.map((name) => eb(col(name), '=', toParam(key[name])))))
    .compile();
  const result = await engine.query(query.sql, {
    params: query.parameters,
    timeoutMs: options.timeoutMs,
    maxRows: 1,
  });
  return rowObjects(result)[0] ?? null;
}

export async function insertRow(
  engine: Engine,
  info: LiveTable,
  values: Values,
  options: WriteOptions,
): Promise<WriteResult> {
  const pk = requireKey(info);
  const names = nonEmpty(values, 'values');
  requireColumns(info, names);
  // Kysely's insertInto takes only a plain table name (which it would split on
  // dots), so the statement is a template over quoted identifiers and parameters.
  const returning = engine.capabilities.returning;
  const compiled =
    sql`insert into ${tableId(engine.name, info.schema, info.table)} (${sql.join(names.map((n) => col(n)))}) values (${sql.join(names.map((n) => toParam(values[n])))})${returning ? sql` returning *` : sql``}`.compile(
      sqlBuilder(engine.name),
    );
  const result = await engine.query(compiled.sql, {
    params: compiled.parameters,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  // Postgres and SQLite return the stored row; MySQL cannot, so it is re-read by key.
  let row = returning ? (rowObjects(result)[0] ?? null) : null;
  if (!returning && pk.every((name) => name in values)) row = await readByKey(engine, info, values, options);
  return { affectedRows: result.affectedRows ?? 1, row, sql: compiled.sql };
}

export async function updateRow(
  engine: Engine,
  info: LiveTable,
  input: { key: Values; original: Values; values: Values },
  options: WriteOptions,
): Promise<WriteResult> {
  keyValues(info, input.key);
  const names = nonEmpty(input.values, 'values');
  requireColumns(info, [...names, ...Object.keys(input.original)]);
  const db = sqlBuilder(engine.name);
  const set = Object.fromEntries(names.map((name) => [name, toParam(input.values[name])]));
  const where = (eb: EB) => matchRow(eb, info, input.key, input.original);
  const compiled = db
    .updateTable(tableId(engine.name, info.schema, info.table).as('t'))
    .set(set)
    .where(where)
    .compile();
  const result = await engine.query(compiled.sql, {
    params: compiled.parameters,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  if (!result.affectedRows) {
    // MySQL counts changed rows, not matched ones: an update to the same values
    // reports 0. The row is unchanged-underneath if it now matches key + new values.
    const newKey = Object.fromEntries(
      info.primaryKey.map((k) => [k, k in input.values ? input.values[k] : input.key[k]]),
    );
    const stillThere = await readByKey(engine, info, newKey, options);
    const same =
      stillThere !== null &&
      Object.entries({ ...input.original, ...input.values }).every(
        ([name, value]) => !comparable(columnOf(info, name), value) || looselyEqual(stillThere[name], value),
      );
    if (!same)
      throw conflict('row_changed', 'The row was changed or deleted by someone else; reload it and retry');
    return { affectedRows: 0, row: stillThere, sql: compiled.sql };
  }
  const newKey = Object.fromEntries(
    info.primaryKey.map((k) => [k, k in input.values ? input.values[k] : input.key[k]]),
  );
  return {
    affectedRows: result.affectedRows,
    row: await readByKey(engine, info, newKey, options),
    sql: compiled.sql,
  };
}

export async function deleteRow(
  engine: Engine,
  info: LiveTable,
  input: { key: Values; original: Values },
  options: WriteOptions,
): Promise<WriteResult> {
  keyValues(info, input.key);
  requireColumns(info, Object.keys(input.original));
  // A template, because single-table DELETE with an alias is not portable (MariaDB).
  const where = matchRow(expressionBuilder<AnyDB, string>(), info, input.key, input.original);
  const compiled = sql`delete from ${tableId(engine.name, info.schema, info.table)} where ${where}`.compile(
    sqlBuilder(engine.name),
  );
  const result = await engine.query(compiled.sql, {
    params: compiled.parameters,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  if (!result.affectedRows) {
    throw conflict('row_changed', 'The row was changed or deleted by someone else; reload it and retry');
  }
  return { affectedRows: result.affectedRows, row: null, sql: compiled.sql };
}

/** Values as the engine returns them vs as the client sent them (numbers may come back as strings). */
function looselyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return String(a) === String(b);
}
