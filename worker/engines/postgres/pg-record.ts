/**
 * Whole-row text (`select x::text from (…) as x`): PostgreSQL's record literal, `(1,abc,,"a b")`.
 * A cursor over it sends one field per row instead of one per column, and the driver decodes each
 * field into its own string, which is most of a wide export's CPU; the row is split here instead.
 * Every value inside is the column type's own output text, so the type parsers give exactly the
 * values a plain cursor gives.
 *
 * record_out's rules: NULL is nothing between the commas; a value that is empty or holds `"`, `\`,
 * `(`, `)`, `,` or white space is double-quoted, with `"` and `\` doubled inside.
 */
import { EngineError } from '../engine.ts';

type Parser = (text: string) => unknown;

const wrongShape = () => new EngineError('upstream_error', 'A row did not match its columns');

/** The quoted value starting at `at` (on its opening quote): its text and where it ends. */
function quoted(text: string, at: number): [string, number] {
  let out = '';
  let from = at + 1;
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      if (text.charCodeAt(i + 1) !== 34) return [out + text.slice(from, i), i + 1];
      out += text.slice(from, i + 1);
      i += 2;
      from = i;
    } else if (c === 92 /* \ */) {
      out += text.slice(from, i) + text.charAt(i + 1);
      i += 2;
      from = i;
    } else {
      i++;
    }
  }
  throw wrongShape();
}

/** One record literal to a row of parsed values, one parser per column. */
export function parseRecord(text: string, parsers: readonly Parser[]): unknown[] {
  const n = parsers.length;
  const end = text.length - 1;
  if (text.charCodeAt(0) !== 40 || text.charCodeAt(end) !== 41 || (n === 0 && end !== 1)) throw wrongShape();
  const row: unknown[] = new Array(n);
  let pos = 1;
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    let value: string | null;
    let next: number;
    if (text.charCodeAt(pos) === 34) {
      [value, next] = quoted(text, pos);
    } else {
      // An unquoted value holds no comma, so the next comma (or the closing parenthesis) ends it.
      const comma = text.indexOf(',', pos);
      next = last ? end : comma;
      if (last ? comma !== -1 : comma === -1) throw wrongShape();
      value = next === pos ? null : text.slice(pos, next);
    }
    if (last ? next !== end : text.charCodeAt(next) !== 44) throw wrongShape();
    row[i] = value === null ? null : parsers[i]!(value);
    pos = next + 1;
  }
  return row;
}

/** Characters of whole-row text one batch aims at, and the most rows it ever asks for. */
const BATCH_CHARS = 1 << 18;
const MAX_BATCH_ROWS = 10_000;

/**
 * Rows to FETCH next, from the whole-row texts just read: about BATCH_CHARS of them, so a narrow
 * table takes few round trips and a wide one still holds about a quarter megabyte per batch.
 */
export function nextBatchRows(texts: readonly (readonly unknown[])[]): number {
  let chars = 0;
  for (const r of texts) chars += (r[0] as string).length;
  const perRow = Math.max(1, chars / Math.max(1, texts.length));
  return Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(BATCH_CHARS / perRow)));
}
