/**
 * A `PgSession` over a node-postgres `Client` — pg's own (pg-tcp.ts) or Neon's fork (neon-ws.ts),
 * which share the client API: rows as arrays through Atrium's parsers, the ReadyForQuery status
 * for the read-only checks, notices collected, and user statements handed over as submittables.
 */
import { CONNECT_TIMEOUT_MS, withDeadline } from '../config.ts';
import type { CopyOut } from './pg-copy.ts';
import type { BoundedStatement } from './pg-portal.ts';
import { type RawResult, types } from './pg-results.ts';
import type { PgSession } from './pg-transport.ts';

/** The part of pg's `Client` (and Neon's) a session uses. */
export interface PgClientLike {
  connect(): Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads differ between pg and Neon's fork
  query(config: any): unknown;
  end(): Promise<void>;
  on(event: string, listener: (msg: never) => void): unknown;
  connection: { on(event: string, listener: (msg: never) => void): unknown; stream?: { destroy(): void } };
}

export class PgClientSession implements PgSession {
  readonly #client: PgClientLike;
  #status: string | undefined;
  #ended = false;

  constructor(client: PgClientLike, notices: string[]) {
    this.#client = client;
    client.on('error', () => {}); // surfaced through the pending call instead of crashing the isolate
    client.on('notice', (msg: { message?: string }) => notices.push(msg.message ?? ''));
    client.connection.on('readyForQuery', (msg: { status?: string }) => {
      this.#status = msg.status ?? '';
    });
  }

  get transactionStatus() {
    return this.#status;
  }

  get ended() {
    return this.#ended;
  }

  connect(): Promise<void> {
    return this.#client.connect();
  }

  query(text: string, values?: readonly unknown[]) {
    const args = values && values.length > 0 ? [...values] : undefined;
    return this.#client.query({ text, values: args, rowMode: 'array', types }) as Promise<
      RawResult | RawResult[]
    >;
  }

  submit(statement: BoundedStatement | CopyOut): void {
    this.#client.query(statement);
  }

  /** Resolves once the goodbye is sent; callers that need not wait ignore it. */
  end(): Promise<void> {
    if (this.#ended) return Promise.resolve();
    this.#ended = true;
    return this.#client.end().catch(() => {});
  }
}

/** Connects `session` within CONNECT_TIMEOUT_MS, ending it on failure so no socket is left open. */
export async function connectWithin<S extends { connect(): Promise<void>; end(): unknown }>(
  session: S,
): Promise<S> {
  try {
    await withDeadline(session.connect(), CONNECT_TIMEOUT_MS, {
      onTimeout: () => session.end(),
      what: 'The database connection',
    });
  } catch (err) {
    session.end();
    throw err;
  }
  return session;
}
