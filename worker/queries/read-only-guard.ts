import type { EngineName } from '../engines/engine.ts';
import { refused } from '../errors.ts';

/**
 * DEFENCE IN DEPTH ONLY. What keeps a read-only run read-only is the database: every statement is sent on
 * its own (extended protocol) inside a read-only transaction, and, where the connection has one, as a
 * read-only login. This guard refuses, before anything is sent, what could still get out of that:
 * transaction control and session characteristics (a COMMIT, or `SET TRANSACTION READ WRITE` as the first
 * statement, would end or reopen the read-only transaction; a procedure or `DO` block may COMMIT inside),
 * and, when the run's login may be privileged, the known server-side effects a read-only transaction does
 * not stop (`COPY … TO PROGRAM`, server files, signalling backends, `INTO OUTFILE`…).
 *
 * It is a small tokenizer, not a parser. A miss here must still be stopped by the database; a refusal is a
 * clear 403 instead of a driver error, and a second wall where the first is a superuser's login.
 */
export interface ReadOnlyGuardOptions {
  /** true when the run does not use a dedicated read-only login (so server-side effects are refused here too) */
  refuseServerEffects: boolean;
}

type Dialect = EngineName;
interface Token {
  kind: 'word' | 'punct' | 'string' | 'number';
  /** Words lowercased (quoted identifiers too: a false refusal beats a miss); strings are empty. */
  text: string;
}
interface Violation {
  reason: 'transaction_control' | 'unguarded_write' | 'server_effect';
  keyword: string;
}

const words = (list: string) => new Set(list.split(' '));

/** Statements that end, open or nest a transaction, or run code that may (procedures, `DO`). */
const TRANSACTION_HEADS = words(
  'begin start commit end rollback abort savepoint release xa handler do call lock unlock',
);
/**
 * MySQL statements that commit implicitly before they run, which ends the read-only transaction: MariaDB
 * then runs them (DDL, `GRANT`, `CREATE USER`…) with autocommit instead of refusing them (seen on
 * 10.11: `START TRANSACTION READ ONLY; DROP TABLE t` drops it). Also statements that run SQL text the
 * guard cannot see (`PREPARE … FROM @v`, `EXECUTE IMMEDIATE`) or administer the server.
 */
const MYSQL_HEADS = words(
  'create alter drop rename truncate grant revoke analyze optimize repair check flush cache ' +
    'install uninstall purge change stop shutdown restart kill reset prepare execute ' +
    'deallocate binlog clone',
);
/** Settings that decide whether the current or the next transaction is read-only or autocommits. */
const READ_ONLY_SETTINGS = words(
  'autocommit transaction_read_only default_transaction_read_only tx_read_only completion_type',
);
const SET_SCOPES = words('session local global persist persist_only');

/**
 * PostgreSQL's large-object functions write even inside a read-only transaction (seen on 15:
 * `BEGIN READ ONLY; SELECT lo_unlink(oid); COMMIT` deletes it), and any role may create one.
 */
const LARGE_OBJECT_WRITERS = words(
  'lo_create lo_creat lo_from_bytea lo_put lo_unlink lowrite lo_truncate lo_truncate64 lo_open lo_import lo_export',
);
/** Functions with effects outside the transaction, or that run SQL given as text (which this guard cannot see). */
const EFFECT_FUNCTIONS = words(
  'lo_import lo_export pg_read_file pg_read_binary_file pg_stat_file pg_file_write ' +
    'pg_file_rename pg_file_unlink pg_logdir_ls pg_terminate_backend pg_cancel_backend ' +
    'pg_reload_conf pg_rotate_logfile pg_promote pg_switch_wal pg_create_restore_point ' +
    'pg_log_backend_memory_contexts set_config query_to_xml query_to_xmlschema ' +
    'query_to_xml_and_xmlschema load_file sys_exec sys_eval',
);
const EFFECT_FUNCTION_PREFIXES = ['dblink', 'pg_ls_'];

/** Throws ApiError 403 `read_only_violation` (via worker/errors.ts helpers) naming the statement. */
export function assertReadOnlyScript(
  statements: readonly { sql: string }[],
  dialect: 'postgres' | 'mysql' | 'sqlite',
  options: ReadOnlyGuardOptions,
): void {
  statements.forEach((statement, index) => {
    // A string's end depends on settings a script can change (standard_conforming_strings, MySQL's
    // NO_BACKSLASH_ESCAPES), so both readings are checked; SQLite never treats backslashes as escapes.
    const readings = dialect === 'sqlite' ? [false] : [false, true];
    for (const backslash of readings) {
      for (const segment of segments(tokenize(statement.sql, dialect, backslash))) {
        const violation = checkSegment(segment, dialect, options);
        if (violation) throw violationError(statement.sql, index, violation);
      }
    }
  });
}

function violationError(sql: string, index: number, v: Violation) {
  const flat = sql.replace(/\s+/g, ' ').trim();
  const snippet = flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
  const why =
    v.reason === 'transaction_control'
      ? 'is transaction or session control, which could leave the read-only transaction'
      : v.reason === 'unguarded_write'
        ? 'writes even inside a read-only transaction'
        : 'has a server-side effect that a read-only transaction does not stop';
  return refused(
    'read_only_violation',
    `Read-only run refused statement ${index + 1} ("${snippet}"): \`${v.keyword.toUpperCase()}\` ${why}`,
    { statement: index + 1, reason: v.reason, keyword: v.keyword },
  );
}

/** The splitter already split the script; `;` inside a statement (MySQL `/*! … *\/`, odd modes) splits again. */
function segments(tokens: Token[]): Token[][] {
  const out: Token[][] = [[]];
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === ';') out.push([]);
    else out[out.length - 1]!.push(t);
  }
  return out.filter((s) => s.length > 0);
}

const isWord = (t: Token | undefined, ...words: string[]) =>
  t?.kind === 'word' && (words.length === 0 || words.includes(t.text));
const isPunct = (t: Token | undefined, text: string) => t?.kind === 'punct' && t.text === text;

function checkSegment(all: Token[], dialect: Dialect, options: ReadOnlyGuardOptions): Violation | null {
  let start = 0;
  while (isPunct(all[start], '(')) start++;
  const tokens = all.slice(start);
  const head = tokens[0]?.kind === 'word' ? tokens[0].text : '';
  const second = tokens[1]?.kind === 'word' ? tokens[1].text : '';
  const control = (keyword: string): Violation => ({ reason: 'transaction_control', keyword });

  if (TRANSACTION_HEADS.has(head)) return control(head);
  if (dialect === 'mysql' && MYSQL_HEADS.has(head)) return control(head);
  if (head === 'prepare' && second === 'transaction') return control('prepare transaction');
  if (head === 'prepare') {
    // Postgres `PREPARE name AS statement`: the statement is checked like any other.
    const as = tokens.findIndex((t) => isWord(t, 'as'));
    if (as > 0) {
      const inner = checkSegment(tokens.slice(as + 1), dialect, options);
      if (inner) return inner;
    }
  }
  if (head === 'reset' && (second === 'all' || READ_ONLY_SETTINGS.has(second)))
    return control(`reset ${second}`);
  if (head === 'set') {
    const inner = checkSet(tokens, dialect, options);
    if (inner) return inner;
  }
  const call = calledFunction(tokens, (name) => LARGE_OBJECT_WRITERS.has(name));
  if (call) return { reason: 'unguarded_write', keyword: call };
  if (options.refuseServerEffects) return serverEffect(tokens, head);
  return null;
}

function checkSet(tokens: Token[], dialect: Dialect, options: ReadOnlyGuardOptions): Violation | null {
  if (dialect === 'mysql' && isWord(tokens[1], 'statement')) {
    // MariaDB `SET STATEMENT var=value FOR statement`: both halves count.
    const forAt = tokens.findIndex((t, i) => i > 1 && isWord(t, 'for'));
    if (forAt > 0) {
      const inner = checkSegment(tokens.slice(forAt + 1), dialect, options);
      if (inner) return inner;
    }
  }
  // `SET PASSWORD` and `SET DEFAULT ROLE` write the grant tables, committing implicitly.
  if (dialect === 'mysql' && isWord(tokens[1], 'password', 'default')) {
    return { reason: 'transaction_control', keyword: `set ${tokens[1]!.text}` };
  }
  const scoped = SET_SCOPES.has(tokens[1]?.text ?? '') ? 2 : 1;
  const name = tokens[scoped]?.text ?? '';
  if (isWord(tokens[scoped], 'transaction', 'characteristics'))
    return { reason: 'transaction_control', keyword: `set ${name}` };
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === '@@') return { reason: 'transaction_control', keyword: 'set @@' };
    if (t.kind === 'word' && READ_ONLY_SETTINGS.has(t.text))
      return { reason: 'transaction_control', keyword: `set ${t.text}` };
  }
  return null;
}

function serverEffect(tokens: Token[], head: string): Violation | null {
  const effect = (keyword: string): Violation => ({ reason: 'server_effect', keyword });
  if (head === 'load') return effect('load');
  if (head === 'copy') {
    // Only the client-side forms (`TO STDOUT`, `FROM STDIN`) are allowed; a file or PROGRAM is the server's.
    let depth = 0;
    for (let i = 1; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (isPunct(t, '(')) depth++;
      else if (isPunct(t, ')')) depth--;
      else if (depth === 0 && isWord(t, 'to', 'from')) {
        if (!isWord(tokens[i + 1], 'stdout', 'stdin')) return effect(`copy ${t.text}`);
        break;
      }
    }
    if (!tokens.some((t) => isWord(t, 'stdout', 'stdin'))) return effect('copy');
  }
  const call = calledFunction(tokens, isEffectFunction);
  if (call) return effect(call);
  const into = tokens.findIndex((t, i) => isWord(t, 'into') && isWord(tokens[i + 1], 'outfile', 'dumpfile'));
  return into < 0 ? null : effect(`into ${tokens[into + 1]!.text}`);
}

/** The first name followed by `(` (comments between them are gone) that `matches`. */
function calledFunction(tokens: Token[], matches: (name: string) => boolean): string | null {
  const at = tokens.findIndex((t, i) => t.kind === 'word' && isPunct(tokens[i + 1], '(') && matches(t.text));
  return at < 0 ? null : tokens[at]!.text;
}

const isEffectFunction = (name: string) =>
  EFFECT_FUNCTIONS.has(name) || EFFECT_FUNCTION_PREFIXES.some((p) => name.startsWith(p));

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[\w$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/;
const EXECUTABLE_COMMENT = /^\/\*M?!\d*/i;

/**
 * Words, punctuation and (contentless) strings, with comments dropped — except MySQL's executable
 * comments (`/*! … *\/`, MariaDB's `/*M! … *\/`), whose text the server runs and so is read as code.
 */
function tokenize(sql: string, dialect: Dialect, backslash: boolean): Token[] {
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  let executable = false;
  while (i < n) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '-' && next === '-' && (dialect !== 'mysql' || i + 2 >= n || /\s/.test(sql[i + 2]!))) {
      // MySQL needs whitespace after `--` (`1--1` is arithmetic there).
      i = lineEnd(sql, i);
    } else if (ch === '#' && dialect === 'mysql') {
      i = lineEnd(sql, i);
    } else if (ch === '/' && next === '*') {
      const opener = dialect === 'mysql' ? EXECUTABLE_COMMENT.exec(sql.slice(i, i + 12)) : null;
      if (opener) {
        executable = true;
        i += opener[0].length;
      } else {
        i = commentEnd(sql, i, dialect === 'postgres');
      }
    } else if (ch === '*' && next === '/' && executable) {
      executable = false;
      i += 2;
    } else if (ch === "'") {
      i = quotedEnd(sql, i, "'", backslash);
      out.push({ kind: 'string', text: '' });
    } else if (ch === '"' || ch === '`' || (ch === '[' && dialect === 'sqlite')) {
      const close = ch === '[' ? ']' : ch;
      const end = quotedEnd(sql, i, close, backslash && dialect === 'mysql' && ch === '"');
      out.push({ kind: 'word', text: unquote(sql.slice(i + 1, end - 1), close).toLowerCase() });
      i = end;
    } else if (ch === '$' && dialect === 'postgres' && DOLLAR_TAG.test(sql.slice(i, i + 64))) {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64))![0];
      const close = sql.indexOf(tag, i + tag.length);
      i = close < 0 ? n : close + tag.length;
      out.push({ kind: 'string', text: '' });
    } else if (WORD_START.test(ch)) {
      let j = i + 1;
      while (j < n && WORD_PART.test(sql[j]!)) j++;
      const word = sql.slice(i, j).toLowerCase();
      if (dialect === 'postgres' && word === 'e' && sql[j] === "'") {
        // E'…' strings always take backslash escapes.
        i = quotedEnd(sql, j, "'", true);
        out.push({ kind: 'string', text: '' });
      } else if (dialect === 'postgres' && word === 'u' && sql[j] === '&' && sql[j + 1] === '"') {
        // U&"…" identifiers spell characters as \XXXX or \+XXXXXX.
        const end = quotedEnd(sql, j + 1, '"', false);
        out.push({
          kind: 'word',
          text: decodeUnicode(unquote(sql.slice(j + 2, end - 1), '"')).toLowerCase(),
        });
        i = end;
      } else {
        out.push({ kind: 'word', text: word });
        i = j;
      }
    } else if (/[0-9]/.test(ch)) {
      let j = i + 1;
      while (j < n && /[\w.]/.test(sql[j]!)) j++;
      out.push({ kind: 'number', text: sql.slice(i, j) });
      i = j;
    } else if (ch === '@' && next === '@') {
      out.push({ kind: 'punct', text: '@@' });
      i += 2;
    } else {
      out.push({ kind: 'punct', text: ch });
      i++;
    }
  }
  return out;
}

function lineEnd(sql: string, from: number): number {
  const nl = sql.indexOf('\n', from);
  return nl < 0 ? sql.length : nl + 1;
}

/** Postgres block comments nest; MySQL's and SQLite's do not. Unterminated ones run to the end. */
function commentEnd(sql: string, from: number, nests: boolean): number {
  let depth = 0;
  let i = from;
  while (i < sql.length) {
    if (sql.startsWith('/*', i) && (nests || depth === 0)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** Index just past the closing quote; a doubled quote is an escaped one. Unterminated: the end. */
function quotedEnd(sql: string, from: number, close: string, backslash: boolean): number {
  let i = from + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (backslash && ch === '\\') {
      i += 2;
    } else if (ch === close) {
      if (close !== ']' && sql[i + 1] === close) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

const unquote = (text: string, close: string) =>
  close === ']' ? text : text.split(close + close).join(close);

function decodeUnicode(text: string): string {
  return text.replace(/\\(?:\+([0-9a-fA-F]{6})|([0-9a-fA-F]{4})|(\\))/g, (_, six, four, slash) =>
    slash ? '\\' : String.fromCodePoint(Number.parseInt(six ?? four, 16)),
  );
}
