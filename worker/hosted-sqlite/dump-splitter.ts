/**
 * Splits SQL text into statements as it arrives, for dumps too large to hold: the same rules as
 * SQLite's own `sqlite3_complete()` (which the `sqlite3` shell uses to read a file) — a `;`
 * ends a statement unless it is inside a quoted string or name or a comment, or inside the body
 * of a CREATE TRIGGER, which ends only at `END;` — and, unlike `sqlite3_complete()`, not at the
 * `END;` that closes a CASE expression inside the body. Each statement carries the 1-based line its
 * first token is on, so a failure is reported where the user can find it.
 */
export interface SplitStatement {
  sql: string;
  line: number;
}

type Quote = "'" | '"' | '`' | ']';

export class DumpSplitter {
  #text = '';
  /** Where scanning resumes in `#text` (everything before it is part of the current statement). */
  #pos = 0;
  #line = 1;
  #startLine = 0;
  #quote: Quote | null = null;
  #comment: 'line' | 'block' | null = null;
  /** Keywords of the current statement seen so far, for the trigger rule (at most a few). */
  #words: string[] = [];
  #word = '';
  #lastWord = '';
  /** Open CASE expressions: their END is not the trigger's. */
  #cases = 0;

  /** Feeds more text; returns the statements it completed. */
  push(chunk: string): SplitStatement[] {
    this.#text += chunk;
    const out: SplitStatement[] = [];
    const text = this.#text;
    let i = this.#pos;
    let start = 0;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\n') this.#line++;
      if (this.#comment === 'line') {
        if (c === '\n') this.#comment = null;
        continue;
      }
      if (this.#comment === 'block') {
        if (c === '/' && text[i - 1] === '*') this.#comment = null;
        continue;
      }
      if (this.#quote) {
        // A doubled quote is an escaped one: it closes and reopens, which this toggling gets right.
        if (c === this.#quote) this.#quote = null;
        continue;
      }
      if (c === '-' && text[i + 1] === '-') {
        this.#endWord();
        this.#comment = 'line';
        i++;
        continue;
      }
      if (c === '-' && i + 1 === text.length) break; // might start a comment: wait for more text
      if (c === '/' && text[i + 1] === '*') {
        this.#endWord();
        this.#comment = 'block';
        i++;
        continue;
      }
      if (c === '/' && i + 1 === text.length) break;
      if (/\s/.test(c)) {
        this.#endWord();
        continue;
      }
      if (this.#startLine === 0) this.#startLine = this.#line;
      if (c === "'" || c === '"' || c === '`' || c === '[') {
        this.#endWord();
        this.#quote = c === '[' ? ']' : c;
        continue;
      }
      if (/[A-Za-z0-9_$]/.test(c)) {
        this.#word += c;
        continue;
      }
      this.#endWord();
      if (c === ';' && this.#complete()) {
        const sql = text.slice(start, i + 1).trim();
        if (sql !== ';') out.push({ sql, line: this.#startLine });
        start = i + 1;
        this.#reset();
      }
    }
    this.#text = text.slice(start);
    this.#pos = i - start;
    return out;
  }

  /** The text left when the input ends: a last statement without its `;`, or null. */
  end(): SplitStatement | null {
    this.#endWord();
    const sql = this.#text.trim();
    const line = this.#startLine;
    this.#text = '';
    this.#pos = 0;
    this.#reset();
    if (line === 0 || sql === '') return null;
    return { sql, line };
  }

  /** Characters held for the statement being read, so the caller can cap one statement's size. */
  get pending(): number {
    return this.#text.length;
  }

  #endWord(): void {
    if (!this.#word) return;
    let w = this.#word.toUpperCase();
    if (this.#words.length < 4) this.#words.push(w);
    if (w === 'CASE') this.#cases++;
    else if (w === 'END' && this.#cases > 0) {
      this.#cases--;
      w = 'END CASE';
    }
    this.#lastWord = w;
    this.#word = '';
  }

  /** A `;` ends the statement, except inside a trigger body, which only `END;` closes. */
  #complete(): boolean {
    const [first, second, third] = this.#words;
    const trigger =
      first === 'CREATE' &&
      (second === 'TRIGGER' || ((second === 'TEMP' || second === 'TEMPORARY') && third === 'TRIGGER'));
    return !trigger || this.#lastWord === 'END';
  }

  #reset(): void {
    this.#startLine = 0;
    this.#words = [];
    this.#word = '';
    this.#lastWord = '';
    this.#cases = 0;
  }
}
