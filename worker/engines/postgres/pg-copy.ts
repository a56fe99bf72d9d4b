/**
 * `COPY (select) TO STDOUT` as a node-postgres submittable, for whole-table exports over a socket
 * that can stop reading. A FETCH result makes the driver decode every field of every row into its
 * own string (pg-protocol), which is most of an export's CPU; COPY's text format arrives as one
 * message per row, kept here as raw bytes and decoded a whole batch at once. The rows then go
 * through the same type parsers as FETCH's, so what an export writes is unchanged.
 *
 * The statement is Described first (Parse + Describe of the SELECT, never executed) for the column
 * types; COPY itself reports none. Memory stays at about one batch: past `batchBytes` of unread
 * data the socket is paused (TCP back-pressure then holds the server), and resumed once the
 * consumer takes the batch. The server's `COPY n` tag is checked against the rows read, so a
 * short result is an error, never a complete-looking file.
 */
import type { FieldDef } from '@neondatabase/serverless';
import { EngineError } from '../engine.ts';

type Parser = (text: string) => unknown;

/** The parts of pg's `Connection` this submittable drives. */
interface Wire {
  parse(m: { text: string; types?: number[] }): void;
  bind(m: { values?: unknown[] }): void;
  describe(m: { type: 'P' | 'S' }): void;
  execute(m: { rows?: number }): void;
  sync(): void;
  stream: { pause(): void; resume(): void };
}

/** One `\` escape of COPY's text format (COPY TO writes only \\, \b, \f, \n, \r, \t, \v). */
const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** A field of COPY's text format back to the value text a FETCH would have given. */
export function unescapeCopyField(field: string): string {
  let out = '';
  let from = 0;
  for (let at = field.indexOf('\\'); at !== -1; at = field.indexOf('\\', from)) {
    out += field.slice(from, at);
    const next = field[at + 1] ?? '';
    const octal = /^[0-7]{1,3}/.exec(field.slice(at + 1, at + 4));
    const hex = next === 'x' ? /^[0-9a-fA-F]{1,2}/.exec(field.slice(at + 2, at + 4)) : null;
    if (octal) {
      out += String.fromCharCode(Number.parseInt(octal[0], 8));
      from = at + 1 + octal[0].length;
    } else if (hex) {
      out += String.fromCharCode(Number.parseInt(hex[0], 16));
      from = at + 2 + hex[0].length;
    } else {
      out += ESCAPES[next] ?? next;
      from = at + 2;
    }
  }
  return from === 0 ? field : out + field.slice(from);
}

const wrongShape = () =>
  new EngineError('upstream_error', 'COPY returned a row with the wrong number of columns');

/** Lines of COPY text (each ending in `\n`) to rows of parsed values; `\N` is NULL. */
export function parseCopyText(text: string, parsers: readonly Parser[]): unknown[][] {
  const rows: unknown[][] = [];
  const n = parsers.length;
  let pos = 0;
  while (pos < text.length) {
    let lineEnd = text.indexOf('\n', pos);
    if (lineEnd === -1) lineEnd = text.length;
    const row: unknown[] = new Array(n);
    if (n === 0 && lineEnd !== pos) throw wrongShape();
    for (let i = 0; i < n; i++) {
      // A tab inside a value is written as `\t`, so every raw tab separates fields.
      const last = i === n - 1;
      const end = last ? lineEnd : text.indexOf('\t', pos);
      if (end === -1 || end > lineEnd || (last && text.lastIndexOf('\t', lineEnd) >= pos)) throw wrongShape();
      if (end - pos === 2 && text.charCodeAt(pos) === 92 && text.charCodeAt(pos + 1) === 78) {
        row[i] = null;
      } else {
        const raw = text.slice(pos, end);
        row[i] = parsers[i]!(raw.includes('\\') ? unescapeCopyField(raw) : raw);
      }
      pos = end + 1;
    }
    if (n === 0) pos = lineEnd + 1;
    rows.push(row);
  }
  return rows;
}

export class CopyOut {
  readonly text: string;
  /** Settles with the columns once the SELECT is described (or rejects with its error). */
  readonly fields: Promise<FieldDef[]>;
  /** Settles once the server is done with it (its socket is idle again), however it ended. */
  readonly done: Promise<void>;
  #settle!: () => void;
  readonly #select: string;
  readonly #batchBytes: number;
  /** Unread rows' bytes, reused batch after batch (the driver's own buffer is reused under us). */
  #buffer = new Uint8Array(64 * 1024);
  #buffered = 0;
  #rowsSeen = 0;
  #expected: number | null = null;
  #finished = false;
  #error: unknown;
  #paused = false;
  #wire: Wire | undefined;
  #wake: (() => void) | undefined;
  #resolveFields!: (f: FieldDef[]) => void;
  #rejectFields!: (err: unknown) => void;
  readonly #decoder = new TextDecoder();

  constructor(select: string, batchBytes: number) {
    this.#select = select;
    this.text = `COPY (${select}) TO STDOUT`;
    this.#batchBytes = batchBytes;
    this.fields = new Promise((resolve, reject) => {
      this.#resolveFields = resolve;
      this.#rejectFields = reject;
    });
    this.fields.catch(() => {});
    this.done = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  submit(con: Wire): void {
    this.#wire = con;
    con.parse({ text: this.#select, types: [] });
    con.describe({ type: 'S' });
    con.parse({ text: this.text, types: [] });
    con.bind({ values: [] });
    con.execute({ rows: 0 });
    con.sync();
  }

  handleRowDescription(msg: { fields: FieldDef[] }) {
    this.#resolveFields(msg.fields);
  }

  handleCopyData(msg: { chunk: Uint8Array }) {
    const need = this.#buffered + msg.chunk.length;
    if (need > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(need, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, this.#buffered));
      this.#buffer = grown;
    }
    this.#buffer.set(msg.chunk, this.#buffered);
    this.#buffered = need;
    this.#rowsSeen++;
    if (this.#buffered >= this.#batchBytes) {
      if (!this.#paused) {
        this.#paused = true;
        this.#wire?.stream.pause();
      }
      this.#notify();
    }
  }

  handleCommandComplete(msg: { text: string }) {
    const m = /^COPY (\d+)$/.exec(msg.text);
    this.#expected = m ? Number(m[1]) : null;
  }

  handleEmptyQuery() {}

  handleCopyInResponse(con: { sendCopyFail(message: string): void }) {
    con.sendCopyFail('COPY FROM STDIN is not supported here');
  }

  /** pg's client forgets this submittable on an error, so it settles here, not on ReadyForQuery. */
  handleError(err: unknown) {
    this.#error ??= err;
    this.#rejectFields(err);
    this.#finished = true;
    this.#settle();
    this.#notify();
  }

  handleReadyForQuery() {
    if (this.#expected === null || this.#expected !== this.#rowsSeen) {
      this.#error ??= new EngineError('upstream_error', 'The export ended before the server finished it');
    }
    this.#rejectFields(this.#error ?? new EngineError('upstream_error', 'COPY described no columns'));
    this.#finished = true;
    this.#settle();
    this.#notify();
  }

  #notify() {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** The next batch of raw COPY text, or null once the server finished; throws what it failed with. */
  async next(): Promise<string | null> {
    while (this.#buffered < this.#batchBytes && !this.#finished) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    if (this.#error !== undefined) throw this.#error;
    if (this.#buffered === 0) return null;
    // Each message is one whole row, so a batch never splits a character.
    const text = this.#decoder.decode(this.#buffer.subarray(0, this.#buffered));
    this.#buffered = 0;
    if (this.#paused) {
      this.#paused = false;
      this.#wire?.stream.resume();
    }
    return text;
  }
}
