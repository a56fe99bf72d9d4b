/**
 * RFC 4180 CSV, written by hand for speed: byte for byte what `Papa.unparse(rows, { newline:
 * '\r\n', escapeFormulae })` wrote before (test/worker/export/csv.test.ts compares the two), but
 * with no per-row array copies, no per-cell quote regex and no formula regex unless a cell's first
 * character could start one. An export spends most of its CPU here, once per cell.
 */

/** Characters that force quoting: CR, LF, the quote, the comma, and the byte-order mark. */
const NEEDS_QUOTES = /[\r\n",\uFEFF]/;
const QUOTE = /"/g;

/** First characters FORMULA_TRIGGER can match (`=`, `+`, `-`, `@`, tab, CR), as a bit test. */
function mayBeFormula(code: number): boolean {
  return code === 61 || code === 43 || code === 45 || code === 64 || code === 9 || code === 13;
}

/** One text cell: quoted when it holds a special character or starts or ends with a space. */
function textCell(text: string, formula: RegExp | null): string {
  if (text.length === 0) return text;
  if (formula !== null && mayBeFormula(text.charCodeAt(0)) && formula.test(text)) {
    return `"'${text.replace(QUOTE, '""')}"`;
  }
  if (NEEDS_QUOTES.test(text) || text.charCodeAt(0) === 32 || text.charCodeAt(text.length - 1) === 32) {
    return `"${text.replace(QUOTE, '""')}"`;
  }
  return text;
}

/**
 * One cell. NULL is empty; numbers, bigints and booleans are their plain text (never quoted, never
 * formula-escaped: their text holds no special character and a number cannot call anything);
 * structured values (json, arrays, binary) are their JSON text, escaped like any text.
 */
export function csvCell(value: unknown, formula: RegExp | null): string {
  switch (typeof value) {
    case 'string':
      return textCell(value, formula);
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'undefined':
      return '';
    case 'object': {
      if (value === null) return '';
      const json: string | undefined = JSON.stringify(value);
      return json === undefined ? '' : textCell(json, formula);
    }
    default:
      return textCell(String(value), formula);
  }
}

/** Rows as CSV lines, each ended by CRLF, built as one string so it is encoded once. */
export function csvLines(rows: readonly (readonly unknown[])[], formula: RegExp | null): string {
  if (rows.length === 0) return '';
  const lines: string[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    let line = row.length === 0 ? '' : csvCell(row[0], formula);
    for (let i = 1; i < row.length; i++) line += `,${csvCell(row[i], formula)}`;
    lines[r] = line;
  }
  // One join flattens the lines in a single pass, which TextEncoder then reads straight through.
  return `${lines.join('\r\n')}\r\n`;
}
