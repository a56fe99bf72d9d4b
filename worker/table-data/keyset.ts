import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { type AnyDB, col } from '../engines/sql-builder.ts';
import { badRequest } from '../errors.ts';
import { decodeCursor as decodeOpaque, encodeCursor as encodeOpaque, invalidCursor } from '../lib/cursor.ts';
import type { LiveColumn } from './catalog.ts';
import { toParam } from './values.ts';

export type SortDirection = 'asc' | 'desc';

/** What a page is ordered by: an optional sort column, then the primary key as tiebreaker. */
export interface Ordering {
  /** Null when sorting by the primary key alone. */
  sort: LiveColumn | null;
  direction: SortDirection;
  primaryKey: string[];
}

/** The last row of a page: its sort value (if any) and its primary-key values. */
export interface KeysetCursor {
  kind: 'keyset';
  sort: string | null;
  direction: SortDirection;
  sortValue: unknown;
  key: unknown[];
}

/** Tables without a primary key cannot be keyset-paged; they page by offset (and are read-only). */
export interface OffsetCursor {
  kind: 'offset';
  sort: string | null;
  direction: SortDirection;
  offset: number;
}

export type Cursor = KeysetCursor | OffsetCursor;

export const encodeCursor = (cursor: Cursor): string => encodeOpaque(cursor);

/** Decodes a cursor and checks it was issued for the same ordering as this request. */
export function decodeCursor(text: string, sort: string | null, direction: SortDirection): Cursor {
  const parsed = decodeOpaque(text);
  const c = parsed as {
    kind?: unknown;
    key?: unknown;
    offset?: unknown;
    sort?: unknown;
    direction?: unknown;
  };
  const valid =
    typeof c === 'object' &&
    c !== null &&
    (c.kind === 'keyset' ? Array.isArray(c.key) : c.kind === 'offset' && Number.isSafeInteger(c.offset)) &&
    (c.sort === null || typeof c.sort === 'string') &&
    (c.direction === 'asc' || c.direction === 'desc');
  if (!valid) throw invalidCursor();
  if (c.sort !== sort || c.direction !== direction) {
    throw badRequest('cursor_mismatch', 'The cursor belongs to a different sort; start from the first page');
  }
  return parsed as Cursor;
}

type EB = ExpressionBuilder<AnyDB, string>;

/** (k1, k2, ...) after (v1, v2, ...) in the given direction, as ORs of ANDs every dialect indexes. */
function tupleAfter(
  eb: EB,
  columns: string[],
  values: unknown[],
  direction: SortDirection,
): Expression<SqlBool> {
  const op = direction === 'asc' ? '>' : '<';
  const alternatives = columns.map((name, i) =>
    eb.and([
      ...columns.slice(0, i).map((prev, j) => eb(col(prev), '=', toParam(values[j]))),
      eb(col(name), op, toParam(values[i])),
    ]),
  );
  return alternatives.length === 1 ? alternatives[0]! : eb.or(alternatives);
}

/**
 * Rows strictly after the cursor in the page order. NULLs of a nullable sort
 * column sort last ascending and first descending in every engine (the ORDER BY
 * below makes that explicit), so the predicate handles them on each side.
 */
export function afterCursor(eb: EB, ordering: Ordering, cursor: KeysetCursor): Expression<SqlBool> {
  const { sort, direction, primaryKey } = ordering;
  if (cursor.key.length !== primaryKey.length)
    throw badRequest('invalid_cursor', 'The cursor does not fit this table');
  const keyAfter = tupleAfter(eb, primaryKey, cursor.key, direction);
  if (!sort) return keyAfter;
  const c = col(sort.name);
  if (cursor.sortValue === null) {
    const nullsAfter = eb.and([eb(c, 'is', null), keyAfter]);
    return direction === 'asc' ? nullsAfter : eb.or([nullsAfter, eb(c, 'is not', null)]);
  }
  const value = toParam(cursor.sortValue);
  const after = eb.or([eb(c, direction === 'asc' ? '>' : '<', value), eb.and([eb(c, '=', value), keyAfter])]);
  return sort.nullable && direction === 'asc' ? eb.or([after, eb(c, 'is', null)]) : after;
}

/** ORDER BY terms: (sort IS NULL), sort, then the key, all in the page direction. */
export function orderTerms(ordering: Ordering): { expr: Expression<unknown>; direction: SortDirection }[] {
  const { sort, direction, primaryKey } = ordering;
  const terms: { expr: Expression<unknown>; direction: SortDirection }[] = [];
  if (sort) {
    if (sort.nullable) terms.push({ expr: sql`(${col(sort.name)} is null)`, direction });
    terms.push({ expr: col(sort.name), direction });
  }
  for (const name of primaryKey) if (name !== sort?.name) terms.push({ expr: col(name), direction });
  return terms;
}
