/** The one way a route reaches a user database: `openEngine` (and `withEngine`). */
import type { Action, Authorized } from '../auth/policy.ts';
import { createEngine } from '../engines/create-engine.ts';
import type { Engine } from '../engines/engine.ts';
import type { Env } from '../env.ts';
import { ApiError, notFound } from '../errors.ts';
import type { ServiceContext } from '../lib/after-response.ts';
import { type BuiltinD1, findBuiltin, isBuiltinId } from './builtins.ts';
import { cachedConnection } from './connection-cache.ts';
import { createUserEngine, upstreamName } from './engine-factory.ts';
import { guardEngine, toSafeEngineError } from './guard.ts';
import { type DeferredWrite, touchBuiltinLastUsed, touchLastUsed } from './last-used.ts';
import {
  chooseLogin,
  currentReadOnlyLogin,
  markLogin,
  type OpenedEngine,
  readsOnly,
} from './read-only-login.ts';
import { loadRow } from './scope.ts';
import { openSecret } from './secrets.ts';
import { settingsFromRow } from './settings.ts';

export interface OpenEngineOptions {
  /**
   * Where to put the last-used stamp instead of writing it now, for a caller that
   * batches its own bookkeeping after the response (the query pipeline).
   */
  bookkeeping?: DeferredWrite[];
  /**
   * The run only reads, so it uses the connection's read-only login when there is one.
   * Defaults to whether the granted action only reads (all but `query.write` and `rows.write`).
   */
  readOnly?: boolean;
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

/**
 * Opens connection `connectionId` for a caller the route has authorized (`caller.granted`
 * is the action it may do; every action implies reading connections): loads the connection
 * in the caller's organization (404 otherwise), refuses an inactive one (409
 * `connection_inactive`), opens its secret and returns an engine whose failures are safe
 * `EngineError`s (scrubbed, naming the upstream; worker/errors.ts maps them to HTTP).
 * Built-in databases are read-only engines. The caller must `close()` the engine (or use
 * `withEngine`).
 */
export async function openEngine(
  ctx: ServiceContext,
  caller: Authorized,
  connectionId: string,
  options: OpenEngineOptions = {},
): Promise<OpenedEngine> {
  const { orgId, granted } = caller;
  const builtin = findBuiltin(connectionId);
  if (builtin) {
    refuseBuiltinWrite(connectionId, granted);
    const engine = guardEngine(builtinEngine(ctx.env, builtin), {
      upstream: builtinLabel(builtin),
      secrets: [],
      readOnly: true,
    });
    await touchBuiltinLastUsed(ctx, orgId, builtin.id, options.bookkeeping);
    return markLogin(engine, false);
  }
  if (isBuiltinId(connectionId)) throw notFound('Connection');
  // Reused for a few seconds in this isolate (connection-cache.ts); an inactive one is never opened.
  const { row, stored } = await cachedConnection(
    orgId,
    connectionId,
    async () => {
      const row = await loadRow(ctx.env, orgId, connectionId);
      return { row, stored: row.active ? await openSecret(ctx.env, row.id, row.secret) : null };
    },
    ctx.waitUntil,
  );
  if (!row.active) {
    throw new ApiError(
      409,
      'connection_inactive',
      `Connection "${row.name}" is inactive; an admin can activate it`,
    );
  }
  const settings = settingsFromRow(row, stored);
  const upstream = upstreamName(settings, row.name);
  const readOnly = options.readOnly ?? readsOnly(granted);
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
  caller: Authorized,
  connectionId: string,
  fn: (engine: Engine) => Promise<T>,
  options: OpenEngineOptions = {},
): Promise<T> {
  const engine = await openEngine(ctx, caller, connectionId, options);
  try {
    return await fn(engine);
  } finally {
    await engine.close().catch(() => {});
  }
}

/** Built-ins bypass the user-connection policy (their bindings are reserved); only they may. */
export function builtinEngine(env: Env, builtin: BuiltinD1): Engine {
  return createEngine({ engine: 'sqlite', binding: builtin.binding }, env);
}

export const builtinLabel = (builtin: BuiltinD1) => `D1 database "${builtin.name}" (${builtin.binding})`;
