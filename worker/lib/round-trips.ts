/**
 * Counts a request's round trips to Atrium's own metadata (D1, Durable Objects, the Cache API),
 * so Server-Timing can say how many the request waited for in sequence. On Cloudflare a D1
 * call costs a trip to the database's region and a Durable Object call one to wherever the
 * object lives: far from the user that is 100–300 ms each, so the count of sequential trips,
 * not their local duration, is what decides latency (issue 17).
 *
 * Bindings are wrapped once per env object (kept in a WeakMap, so per-env caches such as Better
 * Auth's instance still hit) and find the current request's counter through AsyncLocalStorage;
 * outside a counted request a wrapped call is a plain call. The same wrappers take an `around`
 * hook, which is how the bench's geography mode adds simulated distance (bench/geo/).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type Binding = 'd1' | 'do' | 'cache';

/** What a wrapped call is: its binding, the operation, and for D1 the SQL (to tell reads from writes). */
export interface CallInfo {
  binding: Binding;
  op: string;
  sql?: string | undefined;
  /** A D1 call made through `withSession` (may be served by a read replica). */
  session?: boolean;
}

/** Runs `call`; a wrapper may wait before or after it (the bench's simulated distance). */
export type Around = <T>(info: CallInfo, call: () => Promise<T>) => Promise<T>;

/**
 * One request's tally. A call that starts while none is in flight opens a new sequential
 * "wave"; calls that overlap it (sent together with `Promise.all`) share that wave. Waves are
 * what a far user pays for: with every trip costing d, the request waits about waves × d.
 */
export class RoundTrips {
  readonly calls: Record<Binding, number> = { d1: 0, do: 0, cache: 0 };
  #waves = 0;
  #inFlight = 0;
  /** Set when the response is ready: calls after it (bookkeeping after the response) are not waited for. */
  #frozen: { waves: number; calls: Record<Binding, number> } | undefined;

  async track<T>(info: CallInfo, call: () => Promise<T>): Promise<T> {
    if (this.#inFlight === 0) this.#waves++;
    this.#inFlight++;
    this.calls[info.binding]++;
    try {
      return await call();
    } finally {
      this.#inFlight--;
    }
  }

  /** Freezes the tally the response reports; later calls run after it and cost the user nothing. */
  freeze(): void {
    this.#frozen ??= { waves: this.#waves, calls: { ...this.calls } };
  }

  get sequential(): number {
    return this.#frozen?.waves ?? this.#waves;
  }

  /** `Server-Timing` entry: `round-trips;desc="sequential=1 d1=2 do=0 cache=0"`. */
  header(): string {
    const calls = this.#frozen?.calls ?? this.calls;
    return `round-trips;desc="sequential=${this.sequential} d1=${calls.d1} do=${calls.do} cache=${calls.cache}"`;
  }
}

const scope = new AsyncLocalStorage<RoundTrips | undefined>();

/** Runs `fn` with `trips` as the counter every wrapped binding reports to. */
export const countRoundTrips = <T>(trips: RoundTrips, fn: () => T): T => scope.run(trips, fn);

/** Runs `fn` outside any request's tally: work after the response (lib/after-response.ts) is not waited for. */
export const uncounted = <T>(fn: () => T): T => scope.run(undefined, fn);

/** The `around` that counts into the current request's tally, if any. */
export const counting: Around = (info, call) => {
  const trips = scope.getStore();
  return trips ? trips.track(info, call) : call();
};

type Statement = D1PreparedStatement;
const originals = new WeakMap<object, Statement>();

function wrapStatement(statement: Statement, around: Around, sql: string, session: boolean): Statement {
  const info = (op: string): CallInfo => ({ binding: 'd1', op, sql, session });
  const wrapped = {
    bind: (...values: unknown[]) => wrapStatement(statement.bind(...values), around, sql, session),
    first: (column?: string) =>
      around(info('first'), () => (column === undefined ? statement.first() : statement.first(column))),
    run: () => around(info('run'), () => statement.run()),
    all: () => around(info('all'), () => statement.all()),
    raw: (options?: { columnNames?: boolean }) =>
      around(info('raw'), () => statement.raw(options as { columnNames?: false })),
  } as unknown as Statement;
  // D1's batch() accepts only its own statement objects: keep the way back, and the SQL (a bound
  // statement too) so a batch of reads is known as reads.
  originals.set(wrapped as object, statement);
  sqlOf.set(wrapped as object, sql);
  return wrapped;
}

const unwrap = (statements: Statement[]) => statements.map((s) => originals.get(s as object) ?? s);
const batchSql = (statements: Statement[]) => statements.map((s) => sqlOf.get(s as object) ?? '').join(';');
const sqlOf = new WeakMap<object, string>();

function wrapPrepare(prepare: (sql: string) => Statement, around: Around, session: boolean) {
  return (sql: string) => wrapStatement(prepare(sql), around, sql, session);
}

/** A D1 binding whose every call goes through `around`. */
export function wrapD1(db: D1Database, around: Around): D1Database {
  return {
    prepare: wrapPrepare((sql) => db.prepare(sql), around, false),
    batch: (statements: Statement[]) =>
      around({ binding: 'd1', op: 'batch', sql: batchSql(statements) }, () => db.batch(unwrap(statements))),
    exec: (sql: string) => around({ binding: 'd1', op: 'exec', sql }, () => db.exec(sql)),
    dump: () => db.dump(),
    withSession: (constraint?: string) => {
      const session = db.withSession(constraint);
      return {
        prepare: wrapPrepare((sql) => session.prepare(sql), around, true),
        batch: (statements: Statement[]) =>
          around({ binding: 'd1', op: 'batch', sql: batchSql(statements), session: true }, () =>
            session.batch(unwrap(statements)),
          ),
        getBookmark: () => session.getBookmark(),
      };
    },
  } as unknown as D1Database;
}

// Stub members that are not calls to the object: reading them must not count a round trip.
const LOCAL_MEMBERS = new Set<PropertyKey>(['then', 'id', 'name', 'dup', 'connect']);

function wrapStub<T extends object>(stub: T, around: Around): T {
  return new Proxy(stub, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof prop === 'symbol' || LOCAL_MEMBERS.has(prop) || typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        // Reflect.apply: an RPC method stub would take `.apply` for a remote method name.
        around({ binding: 'do', op: prop }, () => Promise.resolve(Reflect.apply(value, target, args)));
    },
  });
}

/** A Durable Object namespace whose stubs send every call (fetch or RPC) through `around`. */
export function wrapNamespace<T extends DurableObjectNamespace>(ns: T, around: Around): T {
  return new Proxy(ns, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if ((prop === 'get' || prop === 'getByName') && typeof value === 'function') {
        return (...args: unknown[]) => wrapStub(Reflect.apply(value, target, args) as object, around);
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Which bindings of an env are Atrium's own metadata: its D1 database(s) and Durable Object namespaces. */
export interface MetadataBindings {
  d1: readonly string[];
  objects: readonly string[];
}

/**
 * `env` with the named bindings wrapped by `around`; other members as they are. Only Atrium's
 * own metadata is named: a D1 or an object that holds a user's database (the demo, attached
 * bindings) is the engine's business, like Postgres.
 */
export function wrapBindings<E extends object>(env: E, around: Around, names: MetadataBindings): E {
  const out = { ...env } as Record<string, unknown>;
  for (const key of names.d1) if (out[key]) out[key] = wrapD1(out[key] as D1Database, around);
  for (const key of names.objects) {
    if (out[key]) out[key] = wrapNamespace(out[key] as DurableObjectNamespace, around);
  }
  return out as unknown as E;
}

const counted = new WeakMap<object, object>();

/** `env` with counting bindings, built once per env object so per-env caches keep working. */
export function countedEnv<E extends object>(env: E, names: MetadataBindings): E {
  let out = counted.get(env) as E | undefined;
  if (!out) {
    out = wrapBindings(env, counting, names);
    counted.set(env, out);
  }
  return out;
}
