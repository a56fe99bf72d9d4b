import type { ColumnMeta, Engine } from '../engines/engine.ts';
import { col, sqlBuilder, tableId } from '../engines/sql-builder.ts';
import { columnOf, type LiveTable } from './catalog.ts';
import { type Filter, filterExpression } from './filters.ts';
import {
  afterCursor,
  type Cursor,
  decodeCursor,
  encodeCursor,
  type Ordering,
  orderTerms,
  type SortDirection,
} from './keyset.ts';
import { orderable } from './values.ts';

export interface ReadOptions {
  sort?: string | undefined;
  direction: SortDirection;
  filters: Filter[];
  cursor?: string | undefined;
  limit: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface RowsPage {
  columns: ColumnMeta[];
  rows: unknown[][];
  primaryKey: string[];
  pagination: 'keyset' | 'offset';
  nextCursor: string | null;
  durationMs: number;
  /** The SQL that ran (with placeholders), for history. */
  sql: string;
}

/**
 * One page of a table. With a primary key the page starts strictly after the
 * cursor's row (keyset), so page 10,000 is one index range scan like page 1;
 * without one it falls back to OFFSET and says so in `pagination`.
 */
export async function readRows(engine: Engine, info: LiveTable, options: ReadOptions): Promise<RowsPage> {
  const pk = info.primaryKey;
  const sortColumn = options.sort ? columnOf(info, options.sort) : null;
  // Sorting by the key's first column is sorting by the key.
  const sort = sortColumn && sortColumn.name !== pk[0] ? sortColumn : null;
  const sortName = sort?.name ?? (pk.length > 0 ? null : (sortColumn?.name ?? null));
  const cursor: Cursor | null = options.cursor
    ? decodeCursor(options.cursor, sortName, options.direction)
    : null;
  const keyset = pk.length > 0;
  const ordering: Ordering = { sort, direction: options.direction, primaryKey: pk };

  let query = sqlBuilder(engine.name)
    .selectFrom(tableId(engine.name, info.schema, info.table).as('t'))
    .selectAll();
  for (const filter of options.filters)
    query = query.where((eb) => filterExpression(eb, engine.dialect, info, filter));
  if (keyset) {
    if (cursor?.kind === 'keyset') query = query.where((eb) => afterCursor(eb, ordering, cursor));
    for (const term of orderTerms(ordering)) query = query.orderBy(term.expr, term.direction);
  } else {
    // No key: order by the requested column if any, then every column, so OFFSET pages are stable.
    const names = [
      ...(sortColumn ? [sortColumn.name] : []),
      ...info.columns.filter(orderable).map((c) => c.name),
    ];
    for (const name of new Set(names)) query = query.orderBy(col(name), options.direction);
  }
  query = query.limit(options.limit + 1);
  if (!keyset && cursor?.kind === 'offset') query = query.offset(cursor.offset);

  const compiled = query.compile();
  const result = await engine.query(compiled.sql, {
    params: compiled.parameters,
    readOnly: true,
    timeoutMs: options.timeoutMs,
    maxRows: options.limit + 1,
    signal: options.signal,
  });
  const hasMore = result.rows.length > options.limit;
  const rows = hasMore ? result.rows.slice(0, options.limit) : result.rows;
  const last = rows.at(-1);
  let nextCursor: string | null = null;
  if (hasMore && last) {
    const index = (name: string) => result.columns.findIndex((c) => c.name === name);
    nextCursor = keyset
      ? encodeCursor({
          kind: 'keyset',
          sort: sortName,
          direction: options.direction,
          sortValue: sort ? last[index(sort.name)] : null,
          key: pk.map((name) => last[index(name)]),
        })
      : encodeCursor({
          kind: 'offset',
          sort: sortName,
          direction: options.direction,
          offset: (cursor?.kind === 'offset' ? cursor.offset : 0) + options.limit,
        });
  }
  return {
    columns: result.columns,
    rows,
    primaryKey: pk,
    pagination: keyset ? 'keyset' : 'offset',
    nextCursor,
    durationMs: result.durationMs,
    sql: compiled.sql,
  };
}
