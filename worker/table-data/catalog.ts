import type { Engine } from '../engines/engine.ts';
import type { LiveColumn, LiveTable } from '../engines/schema-model.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';

export type { LiveColumn, LiveTable } from '../engines/schema-model.ts';

/**
 * Reads a table's columns and primary key from the database's own catalog
 * (`Engine.describeTable`), with the names as bound parameters. Every identifier
 * a request names is checked against this before any SQL is built from it.
 */
export async function loadTable(engine: Engine, schema: string, table: string): Promise<LiveTable> {
  const only = engine.capabilities.namespaces === 'single' ? engine.dialect.implicitNamespace : null;
  if (only !== null && schema !== only) {
    throw badRequest('invalid_schema', `SQLite databases have one schema, "${only}"`);
  }
  const info = await engine.describeTable(schema, table);
  if (!info || info.columns.length === 0) throw notFound(`Table ${schema}.${table}`);
  return info;
}

/** 400 unless every name is a column of the table. */
export function requireColumns(info: LiveTable, names: Iterable<string>): void {
  const known = new Set(info.columns.map((c) => c.name));
  for (const name of names) {
    if (!known.has(name)) {
      throw new ApiError(400, 'unknown_column', `No column "${name}" in ${info.schema}.${info.table}`, {
        details: { column: name },
      });
    }
  }
}

export function columnOf(info: LiveTable, name: string): LiveColumn {
  requireColumns(info, [name]);
  return info.columns.find((c) => c.name === name)!;
}
