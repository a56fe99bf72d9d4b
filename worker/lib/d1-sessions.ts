/**
 * D1 read replication (issue 17): each request talks to Atrium's metadata database through one
 * D1 session (`withSession`), so its reads may be served by a replica near the user while its
 * writes go to the primary. The session starts from the bookmark the client sent back (cookie or
 * header, worker/middleware/d1-session.ts), which makes every replica that serves it at least as
 * new as the client's own last write: a user always reads their own writes, across requests and
 * isolates; other users' writes arrive within the replicas' lag.
 *
 * `env.DB` stays one stable object (per-env caches such as Better Auth's keep hitting); it finds
 * the request's session through AsyncLocalStorage, and outside a request it is the plain binding.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<D1DatabaseSession | undefined>();

/** Runs `fn` with `session` as what the session-routed `DB` sends every statement to. */
export const inSession = <T>(session: D1DatabaseSession, fn: () => T): T => current.run(session, fn);

/** Bookmarks are opaque to us; anything not shaped like one is ignored rather than sent to D1. */
export const isBookmark = (value: string | undefined | null): value is string =>
  !!value && value.length <= 200 && /^[0-9a-f]+(-[0-9a-f]+)*$/i.test(value);

/**
 * `db` routed to the current request's session. Statements are prepared and batched on the same
 * session (D1 refuses to mix). `exec` and `dump` (migrations, tooling) always go to the binding.
 */
function routed(db: D1Database): D1Database {
  const target = () => current.getStore() ?? db;
  return {
    prepare: (sql: string) => target().prepare(sql),
    batch: (statements: D1PreparedStatement[]) => target().batch(statements),
    exec: (sql: string) => db.exec(sql),
    dump: () => db.dump(),
    withSession: (constraint?: string) => db.withSession(constraint),
  } as unknown as D1Database;
}

const routedEnvs = new WeakMap<object, object>();

/** `env` with `key` (Atrium's metadata D1) routed to the request's session; built once per env object. */
export function sessionEnv<E extends object>(env: E, key: keyof E & string): E {
  let out = routedEnvs.get(env) as E | undefined;
  if (!out) {
    out = { ...env, [key]: routed(env[key] as D1Database) } as E;
    routedEnvs.set(env, out);
  }
  return out;
}
