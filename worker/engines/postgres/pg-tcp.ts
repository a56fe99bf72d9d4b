/**
 * PostgreSQL over plain TCP with node-postgres (`pg`), whose `pg-cloudflare` socket rides on
 * `cloudflare:sockets` under `nodejs_compat`. Also the transport behind Hyperdrive, whose binding
 * hands over a host and credentials that speak the same wire protocol.
 *
 * A request holds at most two sockets (Workers allow six outgoing connections per request, and
 * other bindings need some): one shared by the one-shot calls, opened on first use, and one per
 * script or stream. Sockets are opened per request and closed by `close()`; nothing is pooled
 * across requests (a socket cannot outlive the request that opened it). A call that outlives its
 * deadline or is cancelled closes its socket first and then sends a cancel request on a second
 * one, so the budget never exceeds two.
 *
 * TLS: `disable` is plaintext; `require` and `verify-full` upgrade with STARTTLS, and Workers
 * always verify the server certificate against the public roots (sockets take no CA and no
 * "skip verification"), so `require` verifies too. A server whose certificate a private CA signed
 * is reached through Hyperdrive, which takes the CA. Without a mode, private and loopback hosts get
 * plaintext and every other host TLS.
 */
import net from 'node:net';
import pg from 'pg';
import * as pgCloudflare from 'pg-cloudflare';
import { CLIENT_GRACE_MS, type SslMode, type Target, withDeadline } from '../config.ts';
import { EngineError } from '../engine.ts';
import { ResponseTooLarge } from '../result-limits.ts';
import { SocketBudget } from '../socket-budget.ts';
import type { CopyOut } from './pg-copy.ts';
import type { BoundedStatement } from './pg-portal.ts';
import { type RawResult, types } from './pg-results.ts';
import { connectWithin, type PgClientLike, PgClientSession } from './pg-session.ts';
import { cancelBackend } from './pg-tcp-cancel.ts';
import type { PgCallOptions, PgOneShot, PgQuery, PgSession, PgTransport } from './pg-transport.ts';
import { PostgresEngine } from './postgres-engine.ts';

/** Its types resolve to the package's non-workerd stub; the workerd build exports this class. */
const { CloudflareSocket } = pgCloudflare as unknown as { CloudflareSocket: new (ssl: boolean) => unknown };

/** How long `close()` waits for the sockets to confirm they closed. */
const CLOSE_WAIT_MS = 2_000;

/** Outgoing sockets one request may hold open through this transport. */
export const MAX_SOCKETS_PER_REQUEST = 2;

/** Hosts that never get TLS by default: loopback and private addresses, local names. */
const PRIVATE_HOST =
  /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|localhost$|[^.]+$|.*\.(local|internal|localhost)$)/i;

export function tlsOf(mode: SslMode | undefined, host: string): boolean {
  if (mode === undefined) return !PRIVATE_HOST.test(host);
  return mode !== 'disable';
}

/** A session that knows whether a statement is in flight, so closing it mid-statement also cancels. */
class TcpSession implements PgSession {
  readonly #inner: PgClientSession;
  readonly #client: pg.Client;
  readonly #onEnd: (session: TcpSession, busy: boolean) => void;
  /** Wire bytes of data rows the current one-shot call may still receive. */
  budget = Number.POSITIVE_INFINITY;
  overBudget = false;
  #inFlight = 0;
  #ended = false;

  constructor(client: pg.Client, notices: string[], onEnd: (session: TcpSession, busy: boolean) => void) {
    this.#client = client;
    this.#inner = new PgClientSession(client as unknown as PgClientLike, notices);
    this.#onEnd = onEnd;
    (client as unknown as PgClientLike).connection.on('dataRow', (msg: { length?: number }) => {
      this.budget -= msg.length ?? 0;
      if (this.budget < 0 && !this.overBudget) {
        this.overBudget = true;
        this.end();
      }
    });
  }

  get transactionStatus() {
    return this.#inner.transactionStatus;
  }

  /** node:net sockets pause; pg-cloudflare's TLS socket (a plain event emitter) cannot. */
  get pausable() {
    const { stream } = (this.#client as unknown as PgClientLike).connection;
    return typeof (stream as { pause?: unknown } | undefined)?.pause === 'function';
  }

  get key() {
    const { processID, secretKey } = this.#client as unknown as { processID: number; secretKey: number };
    return { processID, secretKey };
  }

  connect() {
    return this.#inner.connect();
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight++;
    return work.finally(() => this.#inFlight--);
  }

  query(text: string, values?: readonly unknown[]) {
    return this.#track(this.#inner.query(text, values));
  }

  /** A user's text: extended protocol, so it can hold one command only. */
  extended(text: string, params: readonly unknown[] = []): Promise<RawResult> {
    const config = { text, values: [...params], rowMode: 'array', types, queryMode: 'extended' };
    return this.#track(this.#client.query(config as unknown as pg.QueryConfig) as Promise<RawResult>);
  }

  submit(statement: BoundedStatement | CopyOut): void {
    this.#track<unknown>(statement.done).catch(() => {});
    this.#inner.submit(statement);
  }

  /** Settles once the goodbye (Terminate) is written and the socket closed. */
  closed: Promise<void> = Promise.resolve();

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const busy = this.#inFlight > 0;
    this.closed = this.#inner.end();
    // A pipelined client's end() waits for every query on the wire to drain, and an abandoned
    // call's never may: drop the socket instead (pg does the same for a busy unpipelined client).
    if (busy) (this.#client as unknown as PgClientLike).connection.stream?.destroy();
    this.#onEnd(this, busy);
  }

  get ended() {
    return this.#ended;
  }
}

export class PgTcpTransport implements PgTransport {
  readonly #config: pg.ClientConfig;
  readonly #tls: boolean;
  readonly #open = new Set<TcpSession>();
  readonly #budget = new SocketBudget(MAX_SOCKETS_PER_REQUEST);
  #shared: Promise<TcpSession> | undefined;
  /** The most sockets this transport ever held at once (tests read it). */
  peakSockets = 0;

  /** Sockets open now, the cancel socket aside. */
  get openSockets(): number {
    return this.#open.size;
  }

  constructor(target: Target) {
    if (!target.user) throw new EngineError('invalid_config', 'PostgreSQL needs a user name');
    this.#tls = tlsOf(target.sslMode, target.host);
    this.#config = {
      host: target.host,
      port: target.port ?? 5432,
      user: target.user,
      password: target.password ?? '',
      database: target.database ?? 'postgres',
      // Names Atrium's sessions in pg_stat_activity, for the server's operators.
      application_name: 'atrium',
      ssl: this.#tls,
      // TLS needs pg-cloudflare's socket (STARTTLS on cloudflare:sockets; pg picks it itself only
      // where the `workerd` export condition resolves, so it is named here). Plaintext goes through
      // node:net, whose errors tell an unknown host (ENOTFOUND) from a refused port, which
      // cloudflare:sockets reports with one message.
      stream: () => (this.#tls ? (new CloudflareSocket(true) as never) : new net.Socket()),
    };
  }

  #ended = (session: TcpSession, busy: boolean) => {
    if (!this.#open.delete(session)) return;
    this.#budget.release();
    if (!busy) return;
    // The socket is closed; the backend runs on until it next writes, so stop it now.
    const address = { hostname: String(this.#config.host), port: Number(this.#config.port) };
    this.peakSockets = Math.max(this.peakSockets, this.#open.size + 1);
    cancelBackend(address, session.key, this.#tls).catch(() => {});
  };

  /**
   * `pipelined` writes each query as soon as it is issued instead of after the previous answer
   * (pg's pipeline mode: each query still has its own Sync, so the server runs exactly the
   * messages, in exactly the order, it would have unpipelined). One-shot transactions issue BEGIN,
   * set_config, the statement, FETCH and COMMIT at once, so they cost one round trip instead of
   * five. Sessions stay unpipelined: their portals span round trips (pg refuses them when
   * pipelined) and a read-only script checks the session after each statement before the next.
   */
  async #connect(notices: string[], pipelined = false): Promise<TcpSession> {
    // Past the cap a session waits for another to end (socket-budget.ts) rather than failing.
    await this.#budget.acquire();
    const client = new pg.Client({ ...this.#config, pipeline: pipelined });
    const session = new TcpSession(client, notices, this.#ended);
    this.#open.add(session);
    this.peakSockets = Math.max(this.peakSockets, this.#open.size);
    return connectWithin(session);
  }

  connect(notices: string[]): Promise<PgSession> {
    return this.#connect(notices);
  }

  /** The socket one-shot calls share; reopened after a call had to abandon it. */
  async #sharedSession(): Promise<TcpSession> {
    const current = this.#shared && (await this.#shared.catch(() => undefined));
    if (current && !current.ended) return current;
    this.#shared = this.#connect([], true);
    return this.#shared;
  }

  oneShot(options: PgCallOptions): PgOneShot {
    const call = async <T>(work: (s: TcpSession) => Promise<T>): Promise<T> => {
      const session = await this.#sharedSession();
      session.budget = options.maxBody ?? Number.POSITIVE_INFINITY;
      session.overBudget = false;
      try {
        return await withDeadline(work(session), options.timeoutMs + CLIENT_GRACE_MS, {
          signal: options.signal,
          onTimeout: () => session.end(),
        });
      } catch (err) {
        if (session.overBudget) throw new ResponseTooLarge(options.maxBody ?? 0);
        throw err;
      }
    };
    return {
      query: (text, params) => call((s) => s.extended(text, params)),
      transaction: (queries, { readOnly }) => call((s) => transaction(s, queries, readOnly)),
    };
  }

  /** Ends every socket; the promise is for `waitUntil` (the query pipeline closes after the response). */
  close(): Promise<void> {
    const sessions = [...this.#open];
    for (const session of sessions) session.end();
    this.#shared = undefined;
    // A socket the server stopped answering may never confirm its close; waitUntil need not wait on it.
    const bounded = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_WAIT_MS));
    return Promise.race([Promise.all(sessions.map((s) => s.closed)).then(() => {}), bounded]);
  }
}

/**
 * BEGIN, the queries, COMMIT — issued at once, so on the pipelined shared socket they travel in
 * one flight and nothing else on the socket lands between them. Every statement keeps its own
 * Parse and Sync (one command each). After a failure the server refuses the rest (25P02) and
 * turns COMMIT into a rollback.
 */
async function transaction(
  session: TcpSession,
  queries: readonly PgQuery[],
  readOnly: boolean,
): Promise<RawResult[]> {
  const begin = session.query(readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
  const results = queries.map((q) => session.extended(q.text, q.params));
  const commit = session.query('COMMIT');
  for (const p of [begin, ...results, commit]) p.catch(() => {});
  await begin;
  const out: RawResult[] = [];
  for (const r of results) out.push(await r);
  await commit;
  return out;
}

/** PostgreSQL over TCP to `target` (a saved host, or what a Hyperdrive binding supplies). */
export function pgTcpEngine(target: Target, secrets: readonly (string | undefined)[]): PostgresEngine {
  const transport = new PgTcpTransport(target);
  // Keys the per-isolate cache of user-type names: which database, never which password.
  const key = `tcp://${target.user ?? ''}@${target.host}:${target.port ?? 5432}/${target.database ?? ''}`;
  return new PostgresEngine(
    { connectionString: key, secrets: secrets.filter((s): s is string => !!s) },
    transport,
  );
}
