/**
 * One user statement through PostgreSQL's extended query protocol, as a node-postgres
 * "submittable" for the Neon driver's `Client` (its pg fork has no `queryMode: 'extended'`, and
 * sends a statement without parameters as a simple query, where `select 1; commit; …` is three
 * commands). Here every statement is Parse (unnamed: the server refuses a string holding several
 * commands, 42601) → Bind → Describe → Execute with a row limit, repeated while the portal is
 * suspended. The server produces only the rows asked for, so reading stops at `maxRows` or
 * `maxBytes` (wire size of the data rows) without the rest ever being computed or sent.
 */
import type { FieldDef } from '@neondatabase/serverless';
import { EngineError } from '../engine.ts';

export type TruncatedReason = 'rows' | 'bytes';

export interface PortalResult {
  fields: FieldDef[];
  rows: unknown[][];
  /** Empty when reading stopped before the statement completed (no command tag yet). */
  command: string;
  rowCount: number | null;
  truncatedReason?: TruncatedReason;
  /** Wire bytes of the rows kept. */
  bytes: number;
}

/** The protocol writers of pg's `Connection` that a submittable drives. */
interface Wire {
  parse(m: { text: string; name?: string; types?: number[] }): void;
  bind(m: {
    portal?: string;
    statement?: string;
    values?: unknown[];
    binary?: boolean;
    valueMapper?: (value: unknown) => unknown;
  }): void;
  describe(m: { type: 'P' | 'S'; name?: string }): void;
  execute(m: { portal?: string; rows?: number }): void;
  close(m: { type: 'P' | 'S'; name?: string }): void;
  flush(): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

/** A read-only run whose session left (or reopened) its read-only transaction. */
export function readOnlyViolation(): EngineError {
  return new EngineError(
    'read_only_violation',
    'This run is read-only: a statement ended or changed its read-only transaction',
    { dbCode: '25006' },
  );
}

type Parser = (text: string) => unknown;
/** A first batch small enough that wide rows cost little; later batches follow the row size. */
const FIRST_BATCH = 50;
const MAX_BATCH = 5_000;

/** pg's own text form for parameters (its `prepareValue` is not exported by the Neon bundle). */
function toWire(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return arrayLiteral(value);
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function arrayLiteral(values: readonly unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return arrayLiteral(v);
    const text = String(toWire(v));
    return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}

export class BoundedStatement {
  readonly text: string;
  readonly done: Promise<PortalResult>;
  readonly #values: readonly unknown[];
  readonly #maxRows: number;
  readonly #maxBytes: number;
  readonly #parser: (oid: number) => Parser;
  #fields: FieldDef[] = [];
  #parsers: Parser[] = [];
  #rows: unknown[][] = [];
  #bytes = 0;
  #batchBytes = 0;
  #batchRows = 0;
  #reason: TruncatedReason | undefined;
  #command = '';
  #rowCount: number | null = null;
  #synced = false;
  #error: unknown;
  #resolve!: (r: PortalResult) => void;
  #reject!: (err: unknown) => void;

  constructor(
    text: string,
    values: readonly unknown[],
    limits: { maxRows: number; maxBytes: number },
    parser: (oid: number) => Parser,
  ) {
    this.text = text;
    this.#values = values;
    this.#maxRows = limits.maxRows;
    this.#maxBytes = limits.maxBytes;
    this.#parser = parser;
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  submit(con: Wire): void {
    con.parse({ text: this.text, types: [] });
    con.bind({ values: [...this.#values], valueMapper: toWire });
    con.describe({ type: 'P' });
    this.#next(con);
  }

  /** Rows still wanted, plus one to learn whether more exist. */
  #next(con: Wire) {
    const wanted = this.#maxRows - this.#rows.length + 1;
    const average = this.#batchRows > 0 ? this.#batchBytes / this.#batchRows : 0;
    const byBytes = average > 0 ? Math.floor((this.#maxBytes - this.#bytes) / average) + 1 : FIRST_BATCH;
    const rows = Math.max(1, Math.min(wanted, byBytes, MAX_BATCH));
    this.#batchBytes = 0;
    this.#batchRows = 0;
    con.execute({ rows });
    con.flush();
  }

  #sync(con: Wire) {
    if (this.#synced) return;
    this.#synced = true;
    con.sync();
  }

  handleRowDescription(msg: { fields: FieldDef[] }) {
    this.#fields = msg.fields;
    this.#parsers = msg.fields.map((f) => this.#parser(f.dataTypeID));
  }

  handleDataRow(msg: { fields: (string | null)[]; length?: number }) {
    const size = msg.length ?? msg.fields.reduce((n, v) => n + (v?.length ?? 0), 0);
    this.#batchBytes += size;
    this.#batchRows++;
    // Rows past a limit still arrive until the batch ends; they are dropped unparsed.
    if (this.#reason) return;
    if (this.#rows.length >= this.#maxRows) {
      this.#reason = 'rows';
      return;
    }
    if (this.#bytes + size > this.#maxBytes) {
      this.#reason = 'bytes';
      return;
    }
    this.#bytes += size;
    try {
      this.#rows.push(msg.fields.map((v, i) => (v === null ? null : this.#parsers[i]!(v))));
    } catch (err) {
      this.#error ??= err;
    }
  }

  handlePortalSuspended(con: Wire) {
    if (this.#reason || this.#error) {
      // Closing the portal frees what the server holds for the rest of the result.
      con.close({ type: 'P' });
      this.#sync(con);
      return;
    }
    this.#next(con);
  }

  handleCommandComplete(msg: { text: string }, con: Wire) {
    const m = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/.exec(msg.text);
    this.#command = m?.[1] ?? '';
    const count = m?.[3] ?? m?.[2];
    this.#rowCount = count === undefined ? null : Number(count);
    this.#sync(con);
  }

  handleEmptyQuery(con: Wire) {
    this.#sync(con);
  }

  handleCopyInResponse(con: Wire) {
    con.sendCopyFail('COPY FROM STDIN is not supported here');
  }

  handleCopyData() {
    // COPY TO STDOUT data is not a result set; the command tag still reports the count.
  }

  /** pg's client forgets this statement on an error, so it settles here, not on ReadyForQuery. */
  handleError(err: unknown, con: Wire) {
    this.#sync(con);
    this.#reject(err);
  }

  handleReadyForQuery() {
    if (this.#error) return this.#reject(this.#error);
    this.#resolve({
      fields: this.#fields,
      rows: this.#rows,
      command: this.#command,
      rowCount: this.#rowCount,
      truncatedReason: this.#reason,
      bytes: this.#bytes,
    });
  }
}
