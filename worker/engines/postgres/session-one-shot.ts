/**
 * One-shot calls over a session, for a transport with no one-round-trip API of its own (Neon over
 * WebSocket only, `neon-ws`). One session per engine (per request) serves them all, opened on first
 * use and closed with the engine. Every query goes through the extended protocol as a portal
 * (pg-portal.ts), so a text holding a second command is refused by the server exactly as over HTTP;
 * a transaction's BEGIN, queries and COMMIT are queued at once, so nothing lands between them.
 */
import { CLIENT_GRACE_MS, withDeadline } from '../config.ts';
import { ResponseTooLarge } from '../result-limits.ts';
import { BoundedStatement } from './pg-portal.ts';
import type { RawResult } from './pg-results.ts';
import type { PgCallOptions, PgOneShot, PgQuery, PgSession } from './pg-transport.ts';
import { pgParser } from './postgres-values.ts';

export class SessionOneShots {
  readonly #open: (notices: string[]) => Promise<PgSession>;
  #shared: Promise<PgSession> | undefined;

  constructor(open: (notices: string[]) => Promise<PgSession>) {
    this.#open = open;
  }

  async #session(): Promise<PgSession> {
    this.#shared ??= this.#open([]);
    return this.#shared;
  }

  /** A call that outlives its deadline takes its session with it; the next call opens another. */
  #abandon(session: PgSession) {
    session.end();
    this.#shared = undefined;
  }

  oneShot = (options: PgCallOptions): PgOneShot => {
    const maxBytes = options.maxBody ?? Number.POSITIVE_INFINITY;
    const portal = (session: PgSession, q: PgQuery): Promise<RawResult> => {
      const statement = new BoundedStatement(
        q.text,
        q.params ?? [],
        { maxRows: Number.POSITIVE_INFINITY, maxBytes },
        pgParser,
      );
      session.submit(statement);
      return statement.done.then((r) => {
        if (r.truncatedReason === 'bytes') throw new ResponseTooLarge(maxBytes);
        return r;
      });
    };
    const call = async <T>(work: (s: PgSession) => Promise<T>): Promise<T> => {
      const session = await this.#session();
      return withDeadline(work(session), options.timeoutMs + CLIENT_GRACE_MS, {
        signal: options.signal,
        onTimeout: () => this.#abandon(session),
      });
    };
    return {
      query: (text, params) => call((s) => portal(s, { text, params })),
      transaction: (queries, { readOnly }) =>
        call(async (s) => {
          // After a failure the server refuses the rest (25P02) and turns COMMIT into a rollback.
          const begin = s.query(readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
          const results = queries.map((q) => portal(s, q));
          const commit = s.query('COMMIT');
          for (const p of [begin, ...results, commit]) p.catch(() => {});
          await begin;
          const out: RawResult[] = [];
          for (const r of results) out.push(await r);
          await commit;
          return out;
        }),
    };
  };

  close(): void {
    const shared = this.#shared;
    this.#shared = undefined;
    shared?.then((s) => s.end()).catch(() => {});
  }
}
