/** Saved connections: list, read, create, edit, delete, each scoped to the caller's organization. */

import { and, asc, eq } from 'drizzle-orm';
import { addressedByBinding, isBindingEngine } from '../engines/dialects.ts';
import { ApiError, conflict, notFound } from '../errors.ts';
import type { ServiceContext } from '../lib/after-response.ts';
import { builtinConnectionState, type ConnectionRow, connections } from '../meta/connections.ts';
import { connectionAudit } from './audit.ts';
import { BUILTIN_D1, builtinView, findBuiltin, isBuiltinId } from './builtins.ts';
import { forgetConnection } from './connection-cache.ts';
import { DEFAULT_PORTS } from './connection-string.ts';
import { mergeTransport } from './hyperdrive-settings.ts';
import {
  currentReadOnlyLogin,
  nextReadOnlyLogin,
  readOnlyColumns,
  withReadOnlyPassword,
} from './read-only-login.ts';
import { mergeRemote, remoteColumns } from './remote-sqlite.ts';
import { removeConnection } from './remove.ts';
import { metaDb as db, loadBuiltinState, loadRow, type Scope } from './scope.ts';
import { requirePasswordForNewTarget } from './secret-target.ts';
import { openSecret, sealSecret } from './secrets.ts';
import { assertSettingsAllowed, resolveSettings, secretOf, settingsFromRow } from './settings.ts';
import type {
  ConnectionView,
  ReadOnlyLoginInput,
  ResolvedSettings,
  SettingsInput,
  SslMode,
} from './types.ts';
import { viewOf } from './views.ts';

/** The last-test columns of a connection that has not been tested with its current settings. */
const UNTESTED = {
  lastTestOk: null,
  lastTestLatencyMs: null,
  lastTestServerVersion: null,
  lastTestErrorCode: null,
  lastTestErrorMessage: null,
  lastTestedAt: null,
  lastTestPrivileges: null,
} satisfies Partial<ConnectionRow>;

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
  'accountId',
  'transport',
  'hyperdrive',
] as const;

// ---------------------------------------------------------------- reads

export async function listConnections(ctx: ServiceContext, scope: Scope): Promise<ConnectionView[]> {
  // Two independent reads: one round trip to D1 (a replica, in a session), not two in turn.
  const [rows, states] = await Promise.all([
    db(ctx.env)
      .select()
      .from(connections)
      .where(eq(connections.orgId, scope.orgId))
      .orderBy(asc(connections.name)),
    db(ctx.env).select().from(builtinConnectionState).where(eq(builtinConnectionState.orgId, scope.orgId)),
  ]);
  return connectionList(rows, states);
}

/** The list view: the built-ins (with the organization's state of each), then its connections by name. */
export function connectionList(
  rows: ConnectionRow[],
  states: (typeof builtinConnectionState.$inferSelect)[],
): ConnectionView[] {
  const stateOf = (id: string) => states.find((s) => s.builtinId === id);
  return [...BUILTIN_D1.map((b) => builtinView(b, stateOf(b.id))), ...rows.map(viewOf)];
}

export async function getConnection(ctx: ServiceContext, scope: Scope, id: string): Promise<ConnectionView> {
  const builtin = findBuiltin(id);
  if (builtin) return builtinView(builtin, await loadBuiltinState(ctx.env, scope.orgId, builtin.id));
  return viewOf(await loadRow(ctx.env, scope.orgId, id));
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
    ...UNTESTED,
    lastUsedAt: null,
    createdBy: scope.userId,
    createdAt: now,
    updatedAt: now,
  };
  // The row and its audit entry commit together: a failure leaves neither.
  try {
    await db(ctx.env).batch([
      db(ctx.env).insert(connections).values(row),
      connectionAudit(ctx.env, scope, 'connection.create', id, 'success', { engine: settings.engine }),
    ]);
  } catch (err) {
    throw nameTaken(err, input.name);
  }
  // Nothing cached the new id, but lists that include it (the dashboard) must re-read.
  forgetConnection(scope.orgId, id);
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
    if (addressedByBinding(current) && current.hosted) {
      // Its storage is its own Durable Object: pointing the row elsewhere would orphan the data.
      throw conflict(
        'hosted_database',
        'A database hosted by Atrium keeps its settings; only its name and details change',
      );
    }
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
      ...UNTESTED,
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
      connectionAudit(ctx.env, scope, 'connection.update', id, 'success', { fields }),
    ]);
  } catch (err) {
    throw nameTaken(err, patch.name ?? row.name);
  }
  forgetConnection(scope.orgId, id);
  if (!updated) throw notFound('Connection');
  return viewOf(updated);
}

export async function deleteConnection(ctx: ServiceContext, scope: Scope, id: string): Promise<void> {
  refuseBuiltin(id, 'deleted');
  await loadRow(ctx.env, scope.orgId, id);
  await removeConnection(
    ctx.env,
    scope,
    id,
    connectionAudit(ctx.env, scope, 'connection.delete', id, 'success', null),
  );
}

/**
 * Applies a PATCH to the current settings. A new connection string replaces
 * everything; any field (or an engine change) switches to fields mode, starting
 * from what the current settings already say, password included.
 */
function mergeSettings(current: ResolvedSettings, patch: UpdateInput): SettingsInput {
  return mergeTransport(mergeAddress(current, patch), current, patch);
}

function mergeAddress(current: ResolvedSettings, patch: UpdateInput): SettingsInput {
  const engine = patch.engine ?? current.engine;
  if (addressedByBinding(current) && current.remote && isBindingEngine(engine)) {
    return mergeRemote(current.remote, patch);
  }
  const fieldPatch = {
    host: patch.host,
    port: patch.port,
    database: patch.database ?? undefined,
    user: patch.user ?? undefined,
    password: patch.password,
    sslMode: patch.sslMode ?? undefined,
  };
  if (patch.connectionString !== undefined || isBindingEngine(engine)) {
    const keepBinding = addressedByBinding(current) ? current.d1Binding : undefined;
    return {
      engine,
      connectionString: patch.connectionString,
      d1Binding: patch.d1Binding ?? keepBinding,
      ...fieldPatch,
    };
  }
  if (addressedByBinding(current)) return { engine, d1Binding: patch.d1Binding, ...fieldPatch };
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
  if (addressedByBinding(settings) && settings.remote) {
    return { ...remoteColumns(settings.remote), transport: null, hyperdrive: null };
  }
  if (addressedByBinding(settings)) {
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
      transport: null,
      hyperdrive: null,
    };
  }
  return {
    engine: settings.engine,
    usesConnectionString: settings.usesConnectionString,
    // A Hyperdrive connection's server is the binding's business: no host or port of its own.
    host: settings.hyperdrive ? null : settings.host,
    port: settings.hyperdrive ? null : settings.port,
    database: settings.database,
    user: settings.user,
    sslMode: settings.sslMode,
    d1Binding: null,
    hasPassword: settings.password !== null,
    transport: settings.transport,
    hyperdrive: settings.hyperdrive,
  };
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
