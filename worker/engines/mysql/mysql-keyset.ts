/**
 * Keyset paging for whole-table exports over HTTP, which cannot hold one statement's result open:
 * each page seeks past the last key read (`WHERE key > last ORDER BY key LIMIT n`), so a read is
 * linear in the row count instead of `LIMIT/OFFSET`'s quadratic, and a row cannot be skipped or
 * read twice by an earlier page growing or shrinking.
 *
 * The key is the primary key, or else a unique key whose columns are all NOT NULL (a NULL would
 * let twins through and never compare greater). Key columns of a type whose order the comparison
 * below cannot reproduce exactly send the table back to offset paging (mysql-pages.ts).
 *
 * The last key is never round-tripped through JavaScript values: each page also selects every key
 * column in an exact text form (hex bytes for strings, the server's own digits for numbers and
 * dates), and the next page's literals are built from that text. A string literal carries the
 * column's character set and collation, so it compares as the column does in ORDER BY — case
 * and accent twins, PAD SPACE and binary bytes included.
 */
import { EngineError } from '../engine.ts';
import type { MysqlRaw } from './mysql-transport.ts';

export type Exec = (sql: string, params?: readonly unknown[]) => Promise<MysqlRaw>;

type Kind = 'number' | 'temporal' | 'text' | 'binary';

export interface KeyColumn {
  name: string;
  kind: Kind;
  /** For `text`: the column's own, so its literal compares with the column's rules. */
  charset?: string;
  collation?: string;
}

// TIMESTAMP is left out: its text is in the session's time zone, where a DST fall-back hour prints
// two instants alike. FLOAT/DOUBLE print rounded; ENUM/SET sort by index but compare as text;
// BIT, JSON, spatial and MariaDB's UUID/INET types have orders the literals here do not match.
const KINDS: Record<string, Kind> = {
  tinyint: 'number',
  smallint: 'number',
  mediumint: 'number',
  int: 'number',
  bigint: 'number',
  decimal: 'number',
  year: 'number',
  date: 'temporal',
  datetime: 'temporal',
  time: 'temporal',
  char: 'text',
  varchar: 'text',
  tinytext: 'text',
  text: 'text',
  mediumtext: 'text',
  longtext: 'text',
  binary: 'binary',
  varbinary: 'binary',
  tinyblob: 'binary',
  blob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
};

const quote = (name: string) => `\`${name.replaceAll('`', '``')}\``;
const IDENT = '`((?:[^`]|``)+)`';
const unquote = (s: string) => s.replaceAll('``', '`');
/** sqlBuilder's whole-table SELECT, as the export route compiles it for MySQL. */
const OWN_TABLE = new RegExp(`^select \\* from ${IDENT}\\.${IDENT} as \`t\`(?: order by [^;]*)?$`);

/** The schema and table of Atrium's own whole-table SELECT; null for any other text. */
export function ownTable(sql: string): { schema: string; table: string } | null {
  const m = OWN_TABLE.exec(sql.trim());
  return m ? { schema: unquote(m[1]!), table: unquote(m[2]!) } : null;
}

/**
 * The table's key for keyset paging: its primary key, else its shortest unique key with every
 * column NOT NULL; null when it has neither or a key column's type is not one the literals
 * below reproduce. Indexes on expressions (MySQL 8) have no column and never qualify.
 */
export async function tableKey(exec: Exec, schema: string, table: string): Promise<KeyColumn[] | null> {
  const raw = await exec(
    `SELECT s.index_name, s.column_name, c.data_type, c.is_nullable, c.character_set_name, c.collation_name
     FROM information_schema.statistics s
     LEFT JOIN information_schema.columns c
       ON c.table_schema = s.table_schema AND c.table_name = s.table_name AND c.column_name = s.column_name
     WHERE s.table_schema = ? AND s.table_name = ? AND s.non_unique = 0
     ORDER BY s.index_name = 'PRIMARY' DESC, s.index_name, s.seq_in_index`,
    [schema, table],
  );
  const indexes = new Map<string, (KeyColumn | null)[]>();
  for (const row of raw.rows as (string | null)[][]) {
    const [index, name, type, nullable, charset, collation] = row.map((v) => (v === null ? null : String(v)));
    const kind = KINDS[(type ?? '').toLowerCase()];
    const usable =
      name !== null &&
      kind !== undefined &&
      nullable === 'NO' &&
      (kind !== 'text' || (/^\w+$/.test(charset ?? '') && /^\w+$/.test(collation ?? '')));
    const parts = indexes.get(index!) ?? [];
    parts.push(usable ? { name: name!, kind: kind!, charset: charset!, collation: collation! } : null);
    indexes.set(index!, parts);
  }
  let best: KeyColumn[] | null = null;
  for (const [index, parts] of indexes) {
    if (parts.some((p) => p === null)) continue;
    const key = parts as KeyColumn[];
    if (index === 'PRIMARY') return key;
    if (!best || key.length < best.length) best = key;
  }
  return best;
}

/** A key column as exact text: hex of its bytes for strings, the server's digits otherwise. */
function exactText(c: KeyColumn): string {
  return c.kind === 'text' || c.kind === 'binary'
    ? `HEX(t.${quote(c.name)})`
    : `CAST(t.${quote(c.name)} AS CHAR)`;
}

const NUMBER = /^-?\d+(?:\.\d+)?$/;
const TEMPORAL = /^-?[\d]{1,4}[\d :.-]*$/;
const HEX = /^(?:[0-9A-F]{2})*$/;

/** The literal for one key value read back by `exactText`; throws on text it did not expect. */
function literal(c: KeyColumn, text: unknown): string {
  const s = typeof text === 'string' ? text : text === null || text === undefined ? '' : String(text);
  const ok =
    c.kind === 'number'
      ? NUMBER.test(s)
      : c.kind === 'temporal'
        ? TEMPORAL.test(s)
        : HEX.test(s.toUpperCase());
  if (text === null || text === undefined || !ok) {
    // Never guess: a wrong literal would skip rows or repeat them and the file would look whole.
    throw new EngineError('upstream_error', `Keyset paging read an unexpected value of key column ${c.name}`);
  }
  if (c.kind === 'number') return s;
  if (c.kind === 'temporal') return `'${s}'`;
  if (c.kind === 'binary') return `X'${s}'`;
  return `_${c.charset} X'${s}' COLLATE ${c.collation}`;
}

/**
 * `k1 > v1 OR (k1 = v1 AND k2 > v2) OR …`: MariaDB's range optimizer seeks on this form, where a
 * row comparison `(k1, k2) > (v1, v2)` makes it scan the index from the start (quadratic again).
 */
function after(key: readonly KeyColumn[], values: readonly string[]): string {
  const terms: string[] = [];
  for (let i = 0; i < key.length; i++) {
    const eq = key.slice(0, i).map((c, j) => `t.${quote(c.name)} = ${values[j]}`);
    terms.push([...eq, `t.${quote(key[i]!.name)} > ${values[i]}`].join(' AND '));
  }
  return terms.map((t) => `(${t})`).join(' OR ');
}

/**
 * Pages of the whole table in key order. Every page's rows are returned without the extra key
 * columns; a page shorter than `batchSize` is the last one.
 */
export async function* keysetPages(
  exec: Exec,
  target: { schema: string; table: string },
  key: readonly KeyColumn[],
  batchSize: number,
): AsyncGenerator<MysqlRaw> {
  const from = `${quote(target.schema)}.${quote(target.table)} AS t`;
  const extra = key.map((c, i) => `${exactText(c)} AS atrium_k${i}`).join(', ');
  const order = key.map((c) => `t.${quote(c.name)}`).join(', ');
  let last: string[] | null = null;
  while (true) {
    const where = last ? ` WHERE ${after(key, last)}` : '';
    const raw = await exec(`SELECT t.*, ${extra} FROM ${from}${where} ORDER BY ${order} LIMIT ${batchSize}`);
    const width = raw.fields.length - key.length;
    const rows = raw.rows as unknown[][];
    const tail = rows.at(-1);
    if (tail) last = key.map((c, i) => literal(c, tail[width + i]));
    for (const row of rows) row.length = width;
    yield { ...raw, fields: raw.fields.slice(0, width) };
    if (rows.length < batchSize) return;
  }
}
