import { and, asc, eq, isNull, lt, or } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/d1';
import { auditInsert } from '../audit/index.ts';
import type { AuthContext } from '../auth/context.ts';
import { type Action, authorize } from '../auth/policy.ts';
import { createEngine } from '../engines/create-engine.ts';
import { type Engine, EngineError } from '../engines/engine.ts';
import type { Env } from '../env.ts';
import { ApiError, conflict, fromEngineError, notFound } from '../errors.ts';
import { builtinConnectionState, type ConnectionRow, connections } from '../meta/connections.ts';
import { documents } from '../meta/documents.ts';
import { dropConnectionSchemaQueries } from '../schema/snapshot-drop.ts';
import { BUILTIN_D1, type BuiltinD1, builtinView, findBuiltin, isBuiltinId } from './builtins.ts';
import { DEFAULT_PORTS } from './connection-string.ts';
import { createUserEngine, upstreamName } from './engine-factory.ts';
import { guardEngine, toSafeEngineError } from './guard.ts';
import { combineTests, probePrivileges } from './privileges.ts';
import {
  chooseLogin,
  currentReadOnlyLogin,
  markLogin,
  nextReadOnlyLogin,
  type OpenedEngine,
  readOnlyColumns,
  readOnlySettings,
  readsOnly,
  withReadOnlyPassword,
} from './read-only-login.ts';
import { requirePasswordForNewTarget } from './secret-target.ts';
import { openSecret, sealSecret } from './secrets.ts';
import { assertSettingsAllowed, resolveSettings, secretOf, settingsFromRow } from './settings.ts';
import type {
  ConnectionView,
  ReadOnlyLogin,
  ReadOnlyLoginInput,
  ResolvedSettings,
  SettingsInput,
  SslMode,
  TestOutcome,
} from './types.ts';
import { type TestColumns, viewOf } from './views.ts';

/** Anything with the Worker's env, and maybe an execution context (a Hono `Context` fits). */
export interface ServiceContext {
  env: Env;
  executionCtx?: { waitUntil(promise: Promise<unknown>): void };
}

/** The caller, already authorized by the route: every read and write is scoped to `orgId`. */
export interface Scope {
  auth: AuthContext;
  orgId: string;
  userId: string;
}

export interface ConnectionFields {
  name: string;
  description?: string | undefined;
  color?: string | undefined;
  active?: boolean | undefined;
  tags?: string[] | undefined;
}

/** `readOnlyLogin`: the login viewers and read-only runs use (worker/connections/read-only-login.ts). */
export type CreateInput = ConnectionFields &
  SettingsInput & { readOnlyLogin?: ReadOnlyLoginInput | undefined };
export type UpdateInput = Partial<ConnectionFields> &
  Partial<Omit<SettingsInput, 'database' | 'user' | 'sslMode'>> & {
    database?: string | null | undefined;
    user?: string | null | undefined;
    sslMode?: SslMode | null | undefined;
    /** null removes the read-only login. */
    readOnlyLogin?: ReadOnlyLoginInput | null | undefined;
  };

/** Default test timeout: a database that has not answered by then is reported as `timeout`. */
export const TEST_TIMEOUT_MS = 10_000;
/** `last_used_at` is written at most this often per connection (it feeds "recently used"). */
export const LAST_USED_THROTTLE_MS = 60_000;

const DEFAULT_COLORS = { postgres: '#336791', mysql: '#f29111', sqlite: '#0f80cc' } as const;
const SETTINGS_KEYS = [
  'engine',
  'connectionString',
  'host',
  'port',
  'database',
  'user',
  'password',
  'sslMode',
  'd1Binding',
] as const;

const db = (env: Env) => drizzle(env.DB);

// ---------------------------------------------------------------- reads

export async function listConnections(ctx: ServiceContext, scope: Scope): Promise<ConnectionView[]> {
  const rows = await db(ctx.env)
    .select()
    .from(connections)
    .where(eq(connections.orgId, scope.orgId))
    .orderBy(asc(connections.name));
  const states = await db(ctx.env)
    .select()
    .from(builtinConnectionState)
    .where(eq(builtinConnectionState.orgId, scope.orgId));
  const stateOf = (id: string) => states.find((s) => s.builtinId === id);
  return [...BUILTIN_D1.map((b) => builtinView(b, stateOf(b.id))), ...rows.map(viewOf)];
}

export async function getConnection(ctx: ServiceContext, scope: Scope, id: string): Promise<ConnectionView> {
  const builtin = findBuiltin(id);
  if (builtin) return builtinView(builtin, await loadBuiltinState(ctx.env, scope.orgId, builtin.id));
  return viewOf(await loadRow(ctx.env, scope.orgId, id));
}

async function loadBuiltinState(env: Env, orgId: string, builtinId: string) {
  const [state] = await db(env)
    .select()
    .from(builtinConnectionState)
    .where(and(eq(builtinConnectionState.orgId, orgId), eq(builtinConnectionState.builtinId, builtinId)))
    .limit(1);
  return state;
}

async function loadRow(env: Env, orgId: string, id: string): Promise<ConnectionRow> {
  const [row] = await db(env)
    .select()
    .from(connections)
    .where(and(eq(connections.id, id), eq(connections.orgId, orgId)))
    .limit(1);
  // Another organization's connection is "not found", never "forbidden": ids do not leak.
  if (!row) throw notFound('Connection');
  return row;
}

// ---------------------------------------------------------------- writes

export async function createConnection(
  ctx: ServiceContext,
  scope: Scope,
  input: CreateInput,
): Promise<ConnectionView> {
  const settings = resolveSettings(input);
  assertSettingsAllowed(ctx.env, settings);
  const id = crypto.randomUUID();
  const now = new Date();
  const readOnlyLogin = nextReadOnlyLogin(input.readOnlyLogin, null, null, settings);
  const secret = withReadOnlyPassword(secretOf(settings), readOnlyLogin);
  const row: ConnectionRow = {
    id,
    orgId: scope.orgId,
    name: input.name,
    description: input.description ?? '',
    color: input.color ?? DEFAULT_COLORS[settings.engine],
    active: input.active ?? true,
    tags: dedupe(input.tags ?? []),
    ...settingsColumns(settings),
    ...readOnlyColumns(readOnlyLogin),
    secret: await sealSecret(ctx.env, id, secret),
    lastTestOk: null,
    lastTestLatencyMs: null,
    lastTestServerVersion: null,
    lastTestErrorCode: null,
    lastTestErrorMessage: null,
    lastTestedAt: null,
    lastTestPrivileges: null,
    lastUsedAt: null,
    createdBy: scope.userId,
    createdAt: now,
    updatedAt: now,
  };
  // The row and its audit entry commit together: a failure leaves neither.
  try {
    await db(ctx.env).batch([
      db(ctx.env).insert(connections).values(row),
      auditOf(ctx, scope, 'connection.create', id, 'success', { engine: settings.engine }),
    ]);
  } catch (err) {
    throw nameTaken(err, input.name);
  }
  return viewOf(row);
}

export async function updateConnection(
  ctx: ServiceContext,
  scope: Scope,
  id: string,
  patch: UpdateInput,
): Promise<ConnectionView> {
  refuseBuiltin(id, 'edited');
  const row = await loadRow(ctx.env, scope.orgId, id);
  const changes: Partial<ConnectionRow> = { updatedAt: new Date() };
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.color !== undefined) changes.color = patch.color;
  if (patch.active !== undefined) changes.active = patch.active;
  if (patch.tags !== undefined) changes.tags = dedupe(patch.tags);

  const touchesSettings = SETTINGS_KEYS.some((k) => patch[k] !== undefined);
  if (touchesSettings || patch.readOnlyLogin !== undefined) {
    const stored = await openSecret(ctx.env, row.id, row.secret);
    const current = settingsFromRow(row, stored);
    const settings = touchesSettings ? resolveSettings(mergeSettings(current, patch)) : current;
    requirePasswordForNewTarget(current, settings, patch);
    assertSettingsAllowed(ctx.env, settings);
    const login = nextReadOnlyLogin(
      patch.readOnlyLogin,
      currentReadOnlyLogin(row, stored),
      current,
      settings,
    );
    Object.assign(changes, settingsColumns(settings), readOnlyColumns(login), {
      secret: await sealSecret(ctx.env, id, withReadOnlyPassword(secretOf(settings), login)),
      // A status measured against other settings would be a lie.
      lastTestOk: null,
      lastTestLatencyMs: null,
      lastTestServerVersion: null,
      lastTestErrorCode: null,
      lastTestErrorMessage: null,
      lastTestedAt: null,
      lastTestPrivileges: null,
    } satisfies Partial<ConnectionRow>);
  }

  // Field names only: the audit log never holds a value that could be a secret.
  const fields = Object.keys(patch).filter((k) => patch[k as keyof UpdateInput] !== undefined);
  let updated: ConnectionRow | undefined;
  try {
    [[updated]] = await db(ctx.env).batch([
      db(ctx.env)
        .update(connections)
        .set(changes)
        .where(and(eq(connections.id, id), eq(connections.orgId, scope.orgId)))
        .returning(),
      auditOf(ctx, scope, 'connection.update', id, 'success', { fields }),
    ]);
  } catch (err) {
    throw nameTaken(err, patch.name ?? row.name);
  }
  if (!updated) throw notFound('Connection');
  return viewOf(updated);
}

/**
 * One transaction: the row, its synced schema, the documents' link to it (a plain column,
 * not a foreign key, since documents may also name built-in connections) and the audit entry.
 */
export async function deleteConnection(ctx: ServiceContext, scope: Scope, id: string): Promise<void> {
  refuseBuiltin(id, 'deleted');
  await loadRow(ctx.env, scope.orgId, id);
  const d1 = db(ctx.env);
  await d1.batch([
    d1.delete(connections).where(and(eq(connections.id, id), eq(connections.orgId, scope.orgId))),
    d1
      .update(documents)
      .set({ connectionId: null })
      .where(and(eq(documents.organizationId, scope.orgId), eq(documents.connectionId, id))),
    ...dropConnectionSchemaQueries(d1, scope.orgId, id),
    auditOf(ctx, scope, 'connection.delete', id, 'success', null),
  ]);
}

/**
 * Applies a PATCH to the current settings. A new connection string replaces
 * everything; any field (or an engine change) switches to fields mode, starting
 * from what the current settings already say, password included.
 */
function mergeSettings(current: ResolvedSettings, patch: UpdateInput): SettingsInput {
  const engine = patch.engine ?? current.engine;
  const fieldPatch = {
    host: patch.host,
    port: patch.port,
    database: patch.database ?? undefined,
    user: patch.user ?? undefined,
    password: patch.password,
    sslMode: patch.sslMode ?? undefined,
  };
  if (patch.connectionString !== undefined || engine === 'sqlite') {
    const keepBinding = current.engine === 'sqlite' ? current.d1Binding : undefined;
    return {
      engine,
      connectionString: patch.connectionString,
      d1Binding: patch.d1Binding ?? keepBinding,
      ...fieldPatch,
    };
  }
  if (current.engine === 'sqlite') return { engine, d1Binding: patch.d1Binding, ...fieldPatch };
  const defaultPort = current.port === DEFAULT_PORTS[current.engine] ? DEFAULT_PORTS[engine] : current.port;
  if (
    current.usesConnectionString &&
    Object.values(fieldPatch).every((v) => v === undefined) &&
    engine === current.engine
  ) {
    return { engine, connectionString: current.connectionString ?? undefined, d1Binding: patch.d1Binding };
  }
  return {
    engine,
    d1Binding: patch.d1Binding,
    host: patch.host ?? current.host,
    port: patch.port ?? defaultPort,
    database: patch.database === null ? undefined : (patch.database ?? current.database ?? undefined),
    user: patch.user === null ? undefined : (patch.user ?? current.user ?? undefined),
    sslMode: patch.sslMode === null ? undefined : (patch.sslMode ?? current.sslMode ?? undefined),
    password: patch.password === null ? null : (patch.password ?? current.password),
  };
}

function settingsColumns(settings: ResolvedSettings) {
  if (settings.engine === 'sqlite') {
    return {
      engine: settings.engine,
      usesConnectionString: false,
      host: null,
      port: null,
      database: null,
      user: null,
      sslMode: null,
      d1Binding: settings.d1Binding,
      hasPassword: false,
    };
  }
  return {
    engine: settings.engine,
    usesConnectionString: settings.usesConnectionString,
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    sslMode: settings.sslMode,
    d1Binding: null,
    hasPassword: settings.password !== null,
  };
}

/** Actions that may change a database: never granted on a built-in, whatever the caller's role. */
const WRITE_ACTIONS: ReadonlySet<Action> = new Set<Action>(['query.write', 'rows.write']);

/**
 * Built-ins are shared by every organization, so no role may write to them
 * (`403 read_only_connection`); the engine is also forced read-only below.
 */
export function refuseBuiltinWrite(connectionId: string, action: Action | undefined): void {
  const builtin = findBuiltin(connectionId);
  if (builtin && action && WRITE_ACTIONS.has(action)) {
    throw new ApiError(
      403,
      'read_only_connection',
      `"${builtin.name}" is a built-in database shared by every organization: it is read-only for everyone`,
    );
  }
}

function refuseBuiltin(id: string, verb: string) {
  if (isBuiltinId(id)) {
    throw new ApiError(403, 'builtin_read_only', `Built-in connections cannot be ${verb}`);
  }
}

function nameTaken(err: unknown, name: string): unknown {
  const text = err instanceof Error ? `${err.message} ${String(err.cause ?? '')}` : '';
  return text.includes('UNIQUE constraint failed')
    ? conflict('connection_name_taken', `A connection named "${name}" already exists in this organization`)
    : err;
}

const dedupe = (tags: readonly string[]) => [...new Set(tags)];

// ---------------------------------------------------------------- tests

export async function testSavedConnection(
  ctx: ServiceContext,
  scope: Scope,
  id: string,
  options: { timeoutMs?: number | undefined } = {},
): Promise<TestOutcome> {
  const builtin = findBuiltin(id);
  if (builtin) {
    const outcome = await runTest(() => builtinEngine(ctx.env, builtin), builtinLabel(builtin), [], options);
    const columns = testColumns(outcome);
    await db(ctx.env)
      .insert(builtinConnectionState)
      .values({ orgId: scope.orgId, builtinId: builtin.id, ...columns })
      .onConflictDoUpdate({
        target: [builtinConnectionState.orgId, builtinConnectionState.builtinId],
        set: columns,
      });
    await audit(ctx, scope, 'connection.test', id, outcome.ok ? 'success' : 'failure', testDetail(outcome));
    return outcome;
  }
  if (isBuiltinId(id)) throw notFound('Connection');
  const row = await loadRow(ctx.env, scope.orgId, id);
  const stored = await openSecret(ctx.env, row.id, row.secret);
  const settings = settingsFromRow(row, stored);
  const login = currentReadOnlyLogin(row, stored);
  const { outcome, findings } = await testLogins(
    ctx,
    settings,
    login,
    upstreamName(settings, row.name),
    options,
  );
  await db(ctx.env)
    .update(connections)
    .set({ ...testColumns(outcome), lastTestPrivileges: findings })
    .where(and(eq(connections.id, id), eq(connections.orgId, scope.orgId)));
  await audit(ctx, scope, 'connection.test', id, outcome.ok ? 'success' : 'failure', testDetail(outcome));
  return outcome;
}

export async function testUnsavedSettings(
  ctx: ServiceContext,
  scope: Scope,
  input: SettingsInput & { readOnlyLogin?: ReadOnlyLoginInput | undefined },
  options: { timeoutMs?: number | undefined } = {},
): Promise<TestOutcome> {
  const settings = resolveSettings(input);
  const login = nextReadOnlyLogin(input.readOnlyLogin, null, null, settings);
  const { outcome } = await testLogins(ctx, settings, login, upstreamName(settings, null), options);
  await audit(ctx, scope, 'connection.test', null, outcome.ok ? 'success' : 'failure', {
    ...testDetail(outcome),
    engine: settings.engine,
    unsaved: true,
  });
  return outcome;
}

const testColumns = (outcome: TestOutcome): TestColumns => ({
  lastTestOk: outcome.ok,
  lastTestLatencyMs: outcome.latencyMs,
  lastTestServerVersion: outcome.serverVersion,
  lastTestErrorCode: outcome.error?.code ?? null,
  lastTestErrorMessage: outcome.error?.message ?? null,
  lastTestedAt: new Date(),
});

/** Tests the main login and then the read-only one, each reporting what it may do on the server. */
async function testLogins(
  ctx: ServiceContext,
  settings: ResolvedSettings,
  login: ReadOnlyLogin | null,
  upstream: string,
  options: { timeoutMs?: number | undefined },
) {
  const { secrets } = chooseLogin(settings, login, null, false);
  const test = (s: ResolvedSettings, name: string) =>
    runTest(() => createUserEngine(s, ctx.env), name, secrets, options);
  const main = await test(settings, upstream);
  const readOnly =
    login && main.ok ? await test(readOnlySettings(settings, login), `${upstream} (read-only login)`) : null;
  return combineTests(main, readOnly, login?.user ?? null);
}

const testDetail = (o: TestOutcome) => (o.ok ? { latencyMs: o.latencyMs } : { code: o.error?.code ?? null });

/**
 * One round trip under a hard deadline. The engine enforces the timeout itself;
 * the race is the backstop for a driver that ignores it, so a test never hangs.
 */
async function runTest(
  open: () => Engine,
  upstream: string,
  secrets: readonly string[],
  options: { timeoutMs?: number | undefined },
): Promise<TestOutcome> {
  const timeoutMs = options.timeoutMs ?? TEST_TIMEOUT_MS;
  let engine: Engine | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    engine = open();
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new EngineError('timeout', `${upstream} did not answer within ${timeoutMs} ms`)),
        timeoutMs + 1000,
      );
    });
    const result = await Promise.race([engine.test({ timeoutMs }), deadline]);
    const privileges = await Promise.race([probePrivileges(engine, timeoutMs), deadline]);
    return {
      ok: true,
      latencyMs: result.latencyMs,
      serverVersion: result.serverVersion,
      error: null,
      status: 200,
      privileges,
    };
  } catch (err) {
    const safe = toSafeEngineError(err, upstream, secrets);
    if (!(safe instanceof EngineError)) throw safe;
    const api = fromEngineError(safe);
    // A test result always says which database it was about, whatever the cause.
    const message = api.message.includes(upstream) ? api.message : `${upstream}: ${api.message}`;
    return {
      ok: false,
      latencyMs: null,
      serverVersion: null,
      error: { code: api.code, message },
      status: api.status,
    };
  } finally {
    clearTimeout(timer);
    // Closing is best effort: the outcome is already decided, and a socket that
    // will not close must not turn a clear result into an error.
    engine?.close().catch(() => {});
  }
}

// ---------------------------------------------------------------- engines for other routes

export interface OpenEngineOptions {
  /** The policy action the caller needs; `connection.read` (any member) by default. */
  action?: Action;
  /**
   * Where to put the last-used stamp instead of writing it now, for a caller that
   * batches its own bookkeeping after the response (the query pipeline).
   */
  bookkeeping?: DeferredWrite[];
  /**
   * The run only reads, so it uses the connection's read-only login when there is one.
   * Defaults to whether `action` only reads (all but `query.write` and `rows.write`).
   */
  readOnly?: boolean;
}

/** A D1 write built but not run: batchable (`db.batch`) or awaitable on its own. */
export type DeferredWrite = BatchItem<'sqlite'> & PromiseLike<unknown>;

/**
 * The one way a route reaches a user database. Authorizes `auth` for `action`,
 * loads the connection in the caller's organization (404 otherwise), refuses an
 * inactive one (409 `connection_inactive`), opens its secret and returns an
 * engine whose failures are safe `EngineError`s (scrubbed, naming the upstream;
 * worker/errors.ts maps them to HTTP). Built-in databases are read-only engines.
 * The caller must `close()` the engine (or use `withEngine`).
 */
export async function openEngine(
  ctx: ServiceContext,
  auth: AuthContext | undefined,
  connectionId: string,
  options: OpenEngineOptions = {},
): Promise<OpenedEngine> {
  const { orgId } = authorize(auth, options.action ?? 'connection.read');
  const builtin = findBuiltin(connectionId);
  if (builtin) {
    refuseBuiltinWrite(connectionId, options.action);
    const engine = guardEngine(builtinEngine(ctx.env, builtin), {
      upstream: builtinLabel(builtin),
      secrets: [],
      readOnly: true,
    });
    await touchBuiltinLastUsed(ctx, orgId, builtin.id, options.bookkeeping);
    return markLogin(engine, false);
  }
  if (isBuiltinId(connectionId)) throw notFound('Connection');
  const row = await loadRow(ctx.env, orgId, connectionId);
  if (!row.active) {
    throw new ApiError(
      409,
      'connection_inactive',
      `Connection "${row.name}" is inactive; an admin can activate it`,
    );
  }
  const stored = await openSecret(ctx.env, row.id, row.secret);
  const settings = settingsFromRow(row, stored);
  const upstream = upstreamName(settings, row.name);
  const readOnly = options.readOnly ?? readsOnly(options.action ?? 'connection.read');
  const login = chooseLogin(settings, currentReadOnlyLogin(row, stored), row.lastTestPrivileges, readOnly);
  let engine: Engine;
  try {
    engine = createUserEngine(login.settings, ctx.env);
  } catch (err) {
    throw toSafeEngineError(err, upstream, login.secrets);
  }
  await touchLastUsed(ctx, row, options.bookkeeping);
  const guarded = guardEngine(engine, { upstream, secrets: login.secrets, readOnly: false });
  return markLogin(guarded, login.usesReadOnlyLogin);
}

/** `openEngine`, run `fn`, and close the engine whatever happens. */
export async function withEngine<T>(
  ctx: ServiceContext,
  auth: AuthContext | undefined,
  connectionId: string,
  fn: (engine: Engine) => Promise<T>,
  options: OpenEngineOptions = {},
): Promise<T> {
  const engine = await openEngine(ctx, auth, connectionId, options);
  try {
    return await fn(engine);
  } finally {
    await engine.close().catch(() => {});
  }
}

/** Records use for "recently used", at most once a minute, off the response path when possible. */
async function touchLastUsed(
  ctx: ServiceContext,
  row: ConnectionRow,
  bookkeeping?: DeferredWrite[],
): Promise<void> {
  const now = Date.now();
  if (row.lastUsedAt && now - row.lastUsedAt.getTime() < LAST_USED_THROTTLE_MS) return;
  // The condition repeats the throttle in SQL so concurrent opens write once.
  const write = db(ctx.env)
    .update(connections)
    .set({ lastUsedAt: new Date(now) })
    .where(
      and(
        eq(connections.id, row.id),
        or(isNull(connections.lastUsedAt), lt(connections.lastUsedAt, new Date(now - LAST_USED_THROTTLE_MS))),
      ),
    );
  if (bookkeeping) bookkeeping.push(write);
  else await defer(ctx, write);
}

async function touchBuiltinLastUsed(
  ctx: ServiceContext,
  orgId: string,
  builtinId: string,
  bookkeeping?: DeferredWrite[],
): Promise<void> {
  const now = Date.now();
  const t = builtinConnectionState;
  const write = db(ctx.env)
    .insert(t)
    .values({ orgId, builtinId, lastUsedAt: new Date(now) })
    .onConflictDoUpdate({
      target: [t.orgId, t.builtinId],
      set: { lastUsedAt: new Date(now) },
      setWhere: or(isNull(t.lastUsedAt), lt(t.lastUsedAt, new Date(now - LAST_USED_THROTTLE_MS))),
    });
  if (bookkeeping) bookkeeping.push(write);
  else await defer(ctx, write);
}

/** Runs a bookkeeping write after the response when the runtime allows; a failure is only logged. */
async function defer(ctx: ServiceContext, write: PromiseLike<unknown>): Promise<void> {
  const settled = Promise.resolve(write).then(
    () => undefined,
    // Losing a "last used" stamp must not fail the query that triggered it.
    (err: unknown) =>
      console.error(
        JSON.stringify({
          level: 'warn',
          event: 'connection.bookkeeping_failed',
          error: err instanceof Error ? err.name : 'unknown',
        }),
      ),
  );
  const waitUntil = executionContextOf(ctx);
  if (waitUntil) waitUntil(settled);
  else await settled;
}

/** Hono's `c.executionCtx` throws when there is none (e.g. `app.request` in tests). */
function executionContextOf(ctx: ServiceContext): ((p: Promise<unknown>) => void) | null {
  try {
    const ec = ctx.executionCtx;
    return ec ? (p) => ec.waitUntil(p) : null;
  } catch {
    return null;
  }
}

/** Built-ins bypass the user-connection policy (their bindings are reserved); only they may. */
function builtinEngine(env: Env, builtin: BuiltinD1): Engine {
  return createEngine({ engine: 'sqlite', binding: builtin.binding }, env);
}

const builtinLabel = (builtin: BuiltinD1) => `D1 database "${builtin.name}" (${builtin.binding})`;

async function audit(...args: Parameters<typeof auditOf>) {
  await auditOf(...args);
}

function auditOf(
  ctx: ServiceContext,
  scope: Scope,
  action: string,
  id: string | null,
  outcome: 'success' | 'failure',
  detail: Record<string, unknown> | null,
) {
  return auditInsert(ctx.env, {
    auth: scope.auth,
    orgId: scope.orgId,
    action,
    target: id ? `connection:${id}` : null,
    outcome,
    detail,
  });
}
