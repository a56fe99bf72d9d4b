/**
 * Reads what SQLite keeps only in the CREATE text (constraint names, CHECK and generated
 * expressions, AUTOINCREMENT, a view's query, a partial index's predicate): a small tokenizer
 * that knows SQLite's four identifier quotes, not a full parser.
 */
import type { CheckInfo } from '../schema-model.ts';

interface Token {
  /** `word`, `ident` (quoted identifier), `string`, or the punctuation itself. */
  kind: string;
  /** Unquoted identifier or the raw text. */
  value: string;
  start: number;
  end: number;
}

/** Splits SQL into tokens, knowing SQLite's four identifier quotes and '' escapes. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const closers: Record<string, string> = { '"': '"', '`': '`', '[': ']', "'": "'" };
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (ch in closers) {
      const close = closers[ch]!;
      let j = i + 1;
      let value = '';
      while (j < sql.length) {
        if (sql[j] === close) {
          if (close !== ']' && sql[j + 1] === close) {
            value += close;
            j += 2;
            continue;
          }
          break;
        }
        value += sql[j];
        j++;
      }
      tokens.push({ kind: ch === "'" ? 'string' : 'ident', value, start: i, end: j + 1 });
      i = j + 1;
    } else if (/[A-Za-z0-9_$\u0080-\uffff]/.test(ch)) {
      let j = i;
      while (j < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j]!)) j++;
      tokens.push({ kind: 'word', value: sql.slice(i, j), start: i, end: j });
      i = j;
    } else {
      tokens.push({ kind: ch, value: ch, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

const isWord = (t: Token | undefined, word: string) => t?.kind === 'word' && t.value.toUpperCase() === word;
const nameOf = (t: Token | undefined) => (t && (t.kind === 'ident' || t.kind === 'word') ? t.value : '');

/** The token index just past the parenthesis group that opens at `open`. */
function skipGroup(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.kind === '(') depth++;
    else if (tokens[i]!.kind === ')' && --depth === 0) return i + 1;
  }
  return tokens.length;
}

/** Items of the first parenthesised list, split at top-level commas. */
function topLevelItems(tokens: Token[], open: number): Token[][] {
  const items: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === '(' && depth++ === 0) continue;
    if (t.kind === ')' && --depth === 0) break;
    if (t.kind === ',' && depth === 1) {
      items.push(current);
      current = [];
      continue;
    }
    current.push(t);
  }
  if (current.length) items.push(current);
  return items;
}

export interface ParsedTable {
  primaryKeyName: string | null;
  foreignKeyNames: Map<string, string>;
  checks: CheckInfo[];
  columns: Map<string, { generated: string | null; autoIncrement: boolean }>;
}

export function parseCreateTable(sql: string): ParsedTable {
  const result: ParsedTable = {
    primaryKeyName: null,
    foreignKeyNames: new Map(),
    checks: [],
    columns: new Map(),
  };
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => t.kind === '(');
  if (open < 0) return result;
  const text = (from: Token, to: Token) => sql.slice(from.start, to.end);
  for (const item of topLevelItems(tokens, open)) {
    const head = item[0];
    if (!head) continue;
    let constraintName: string | null = null;
    let i = 0;
    const tableConstraint = ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN'].some((w) =>
      isWord(head, w),
    );
    if (tableConstraint) {
      if (isWord(head, 'CONSTRAINT')) {
        constraintName = nameOf(item[1]);
        i = 2;
      }
      const kind = item[i];
      const paren = item.findIndex((t, k) => k > i && t.kind === '(');
      if (paren < 0) continue;
      const groupEnd = skipGroup(item, paren);
      if (isWord(kind, 'PRIMARY')) result.primaryKeyName = constraintName;
      else if (isWord(kind, 'CHECK')) {
        result.checks.push({ name: constraintName, expression: text(item[paren]!, item[groupEnd - 1]!) });
      } else if (isWord(kind, 'FOREIGN') && constraintName) {
        const cols = item.slice(paren + 1, groupEnd - 1).filter((t) => t.kind !== ',');
        result.foreignKeyNames.set(cols.map(nameOf).join('\u0000'), constraintName);
      }
      continue;
    }
    // A column definition: name, type words, then constraints.
    const columnName = nameOf(head);
    const info = { generated: null as string | null, autoIncrement: false };
    for (let k = 1; k < item.length; k++) {
      const t = item[k]!;
      if (isWord(t, 'AUTOINCREMENT')) info.autoIncrement = true;
      if (isWord(t, 'CONSTRAINT')) constraintName = nameOf(item[k + 1]);
      if (isWord(t, 'CHECK') && item[k + 1]?.kind === '(') {
        const end = skipGroup(item, k + 1);
        result.checks.push({ name: constraintName, expression: text(item[k + 1]!, item[end - 1]!) });
        constraintName = null;
        k = end - 1;
      } else if (isWord(t, 'AS') && item[k + 1]?.kind === '(') {
        const end = skipGroup(item, k + 1);
        info.generated = sql.slice(item[k + 2]!.start, item[end - 1]!.start).trim();
        k = end - 1;
      } else if (isWord(t, 'REFERENCES') && constraintName) {
        result.foreignKeyNames.set(columnName, constraintName);
      } else if (isWord(t, 'PRIMARY') && constraintName) {
        result.primaryKeyName = constraintName;
      }
    }
    result.columns.set(columnName, info);
  }
  return result;
}

/** `CREATE VIEW v AS SELECT ...` → `SELECT ...`. */
export function viewQuery(sql: string): string {
  const tokens = tokenize(sql);
  const as = tokens.findIndex((t) => isWord(t, 'AS'));
  return as < 0 || !tokens[as + 1] ? sql : sql.slice(tokens[as + 1]!.start).trim();
}

export function indexPredicate(sql: string): string | null {
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => t.kind === '(');
  if (open < 0) return null;
  const after = skipGroup(tokens, open);
  const where = tokens.findIndex((t, k) => k >= after && isWord(t, 'WHERE'));
  return where < 0 || !tokens[where + 1] ? null : sql.slice(tokens[where + 1]!.start).trim();
}

/** The text of each part of an index's column list, by position. */
export function indexExpressions(sql: string | null): string[] {
  if (!sql) return [];
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => t.kind === '(');
  if (open < 0) return [];
  return topLevelItems(tokens, open).map((item) => {
    let end = item.length;
    while (end > 0 && (isWord(item[end - 1], 'ASC') || isWord(item[end - 1], 'DESC'))) end--;
    return end > 0 ? sql.slice(item[0]!.start, item[end - 1]!.end) : '';
  });
}
