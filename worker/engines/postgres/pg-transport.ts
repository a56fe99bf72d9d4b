/**
 * What the Postgres dialect (postgres-engine.ts) needs from a way of reaching the server. A
 * transport only moves queries and protocol messages; cursors, read-only checks, timeouts,
 * type names and error mapping stay in the dialect, so a new transport (TCP through `pg`,
 * Hyperdrive) is one file beside neon-http.ts and neon-ws.ts.
 */
import type { CopyOut } from './pg-copy.ts';
import type { BoundedStatement } from './pg-portal.ts';
import type { RawResult } from './pg-results.ts';

/** One call's limits: the deadline, the caller's cancel, and a cap on the response body. */
export interface PgCallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Bytes the response body may hold; absent for no cap. */
  maxBody?: number;
}

export interface PgQuery {
  text: string;
  /** Already mapped for the driver (`toPgParam`). */
  params?: readonly unknown[];
}

/** Queries that need no session: one round trip each, nothing to close (HTTP for Neon). */
export interface PgOneShot {
  /** One query outside any transaction (for statements that refuse to run inside one). */
  query(text: string, params?: readonly unknown[]): Promise<RawResult>;
  /** The queries as one transaction, read-only when asked; one result each. */
  transaction(queries: readonly PgQuery[], options: { readOnly: boolean }): Promise<RawResult[]>;
}

/** One server connection, for scripts (BEGIN … COMMIT) and cursors. */
export interface PgSession {
  /** Our own fixed text (simple protocol), rows as arrays, parsed by Atrium's type parsers. */
  query(text: string, values?: readonly unknown[]): Promise<RawResult | RawResult[]>;
  /** Hands a statement to the connection to drive through the extended protocol. */
  submit(statement: BoundedStatement | CopyOut): void;
  /** True when its socket can stop reading (back-pressure), so a COPY can stream through it. */
  readonly pausable?: boolean;
  /** The last ReadyForQuery status: 'I' idle, 'T' in a transaction, 'E' failed. */
  readonly transactionStatus: string | undefined;
  /** Closes the connection (ending any open transaction); safe to call twice. */
  end(): void;
}

export interface PgTransport {
  /** A handle whose calls share one deadline, cancel signal and body cap. */
  oneShot(options: PgCallOptions): PgOneShot;
  /** Opens and authenticates a session; notices the server sends are pushed to `notices`. */
  connect(notices: string[]): Promise<PgSession>;
  /** Closes whatever the transport holds between calls (a TCP socket shared by one-shots). */
  close?(): void | Promise<void>;
}
