/**
 * Streaming over transports that cannot hold one statement's result open (HTTP): the result is
 * read as a series of pages, each its own statement inside the stream's snapshot transaction.
 * - Atrium's own whole-table SELECT, on a table with a primary key or a NOT NULL unique key:
 *   keyset pages on that key (mysql-keyset.ts), linear in the row count.
 * - Anything else — a caller's query, a table with no such key, a key of a type keyset paging
 *   cannot compare exactly — pages of `LIMIT/OFFSET` over the statement. Each page re-reads the
 *   rows before it, so a whole read is quadratic: fine for thousands of rows, slow for millions,
 *   but there is no unique key to seek on, so it is the only general way.
 */
import { type Exec, keysetPages, ownTable, tableKey } from './mysql-keyset.ts';
import type { MysqlRaw } from './mysql-transport.ts';

export async function* httpPages(
  exec: Exec,
  base: string,
  params: readonly unknown[] | undefined,
  batchSize: number,
  ownText: boolean,
): AsyncGenerator<MysqlRaw> {
  const target = ownText && (params ?? []).length === 0 ? ownTable(base) : null;
  const key = target ? await tableKey(exec, target.schema, target.table) : null;
  if (target && key) yield* keysetPages(exec, target, key, batchSize);
  else yield* offsetPages(exec, base, params, batchSize);
}

/** Pages of `LIMIT/OFFSET` over the statement as a derived table (see above for the cost). */
async function* offsetPages(
  exec: Exec,
  base: string,
  params: readonly unknown[] | undefined,
  batchSize: number,
): AsyncGenerator<MysqlRaw> {
  // MariaDB drops ORDER BY inside a derived table unless the table also has a LIMIT, so the
  // inner query gets the largest one. A query with its own LIMIT rejects a second (1064) and
  // keeps its ORDER BY anyway, so it goes in as written.
  let inner = `${base} LIMIT 18446744073709551615`;
  const page = (offset: number) =>
    exec(`SELECT * FROM (${inner}) AS atrium_page LIMIT ${batchSize} OFFSET ${offset}`, params);
  for (let offset = 0; ; offset += batchSize) {
    let raw: MysqlRaw;
    try {
      raw = await page(offset);
    } catch (err) {
      if (offset > 0 || inner === base || !/\(errno 1064\)/.test((err as Error).message)) throw err;
      inner = base;
      raw = await page(offset);
    }
    yield raw;
    if (raw.rows.length < batchSize) return;
  }
}
