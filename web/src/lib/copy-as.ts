/**
 * "Copy as": selected result rows as text for another tool. Pure functions of the
 * column names and the API's row values (big integers and decimals arrive as strings,
 * binary as `{ $binary: base64 }`, JSON as values), so they are tested without a DOM.
 */

export type CopyFormat = 'tsv' | 'csv' | 'json' | 'markdown' | 'sql';

export const COPY_FORMATS: { format: CopyFormat; label: string }[] = [
  { format: 'tsv', label: 'TSV' },
  { format: 'csv', label: 'CSV' },
  { format: 'json', label: 'JSON' },
  { format: 'markdown', label: 'Markdown' },
  { format: 'sql', label: 'SQL INSERT' },
];

export interface CopyOptions {
  /** Table (`name` or `schema.name`) for SQL INSERT; results have no table of their own, so a placeholder by default. */
  table?: string;
  /** Identifier quote for SQL INSERT: `"` (standard, PostgreSQL, SQLite) or `` ` `` (MySQL/MariaDB). */
  quote?: '"' | '`';
}

export function copyAs(
  format: CopyFormat,
  columns: string[],
  rows: unknown[][],
  options: CopyOptions = {},
): string {
  switch (format) {
    case 'tsv':
      return delimited(columns, rows, '\t');
    case 'csv':
      return delimited(columns, rows, ',');
    case 'json':
      return toJson(columns, rows);
    case 'markdown':
      return toMarkdown(columns, rows);
    case 'sql':
      return toSqlInsert(columns, rows, options);
  }
}

function isBinary(value: unknown): value is { $binary: string } {
  return (
    typeof value === 'object' && value !== null && '$binary' in value && typeof value.$binary === 'string'
  );
}

/** A value as plain text; null stays null so each format can spell it its own way. */
function plain(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (isBinary(value)) return `\\x${base64ToHex(value.$binary)}`;
  return JSON.stringify(value);
}

function base64ToHex(b64: string): string {
  const bytes = atob(b64);
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += bytes.charCodeAt(i).toString(16).padStart(2, '0');
  return hex;
}

/**
 * CSV per RFC 4180 and TSV as spreadsheets paste it: a field holding the delimiter, a quote
 * or a line break is quoted with quotes doubled, so a multi-line value stays one cell. NULL is
 * an empty field (spreadsheets have no NULL); the header row names the columns.
 */
function delimited(columns: string[], rows: unknown[][], delimiter: ',' | '\t'): string {
  const field = (value: unknown) => {
    const text = plain(value) ?? '';
    return text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [columns.map(field), ...rows.map((row) => columns.map((_, i) => field(row[i])))];
  return lines.map((cells) => cells.join(delimiter)).join('\r\n');
}

/** An array of objects; a repeated column name (`a.id`, `b.id` both `id`) gets a suffix rather than overwriting. */
function toJson(columns: string[], rows: unknown[][]): string {
  const keys = uniqueNames(columns);
  const objects = rows.map((row) => Object.fromEntries(keys.map((key, i) => [key, row[i] ?? null])));
  return JSON.stringify(
    objects,
    (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
    2,
  );
}

function uniqueNames(columns: string[]): string[] {
  const seen = new Set<string>();
  return columns.map((name) => {
    let key = name;
    for (let n = 2; seen.has(key); n++) key = `${name}_${n}`;
    seen.add(key);
    return key;
  });
}

/** A GitHub-flavoured table: pipes escaped, line breaks as <br> so a row stays one line. */
function toMarkdown(columns: string[], rows: unknown[][]): string {
  const cell = (text: string) =>
    text
      .replaceAll('\\', '\\\\')
      .replaceAll('|', '\\|')
      .replace(/\r?\n|\r/g, '<br>');
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(columns.map(cell)),
    line(columns.map(() => '---')),
    ...rows.map((row) => line(columns.map((_, i) => cell(plain(row[i]) ?? 'NULL')))),
  ].join('\n');
}

/**
 * One INSERT per row, so any subset pastes and runs on its own. Strings are quoted with
 * quotes doubled (the only escape standard SQL has); numbers and booleans are literals;
 * binary is an X'…' hex literal (SQLite, MySQL/MariaDB; PostgreSQL wants decode('…', 'hex')
 * for bytea, but the grid does not know which engine the rows came from).
 */
function toSqlInsert(columns: string[], rows: unknown[][], options: CopyOptions): string {
  const q = options.quote ?? '"';
  const ident = (name: string) => `${q}${name.replaceAll(q, q + q)}${q}`;
  const table = (options.table ?? 'results').split('.').map(ident).join('.');
  const head = `INSERT INTO ${table} (${columns.map(ident).join(', ')}) VALUES`;
  return rows.map((row) => `${head} (${columns.map((_, i) => sqlLiteral(row[i])).join(', ')});`).join('\n');
}

function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (isBinary(value)) return `X'${base64ToHex(value.$binary)}'`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `'${text.replaceAll("'", "''")}'`;
}
