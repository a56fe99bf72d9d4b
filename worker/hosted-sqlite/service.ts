/**
 * SQLite databases hosted by Atrium: create, list, read (with the object's live size) and drop.
 * Each is a saved connection (engine `sqlite`, transport `hosted`) plus a `hosted_database` row;
 * the connection's id names its Durable Object, so browse, query, edit, export and documents
 * reach it as they reach any connection.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { HostedSqlite } from '../../durable-objects/hosted-sqlite.ts';
import { connectionAudit } from '../connections/audit.ts';
import { forgetConnection } from '../connections/connection-cache.ts';
import { removeConnection } from '../connections/remove.ts';
import { metaDb as db, type Scope } from '../connections/scope.ts';
import type { Env } from '../env.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import { afterResponse, type ServiceContext } from '../lib/after-response.ts';
import { connections, type NewConnectionRow } from '../meta/connections.ts';
import { type HostedDatabaseRow, hostedDatabases } from '../meta/hosted-sqlite.ts';

/**
 * Storage one Durable Object may hold: 10 GB per object with SQLite storage on the Workers Paid
 * plan ("Storage per Durable Object", developers.cloudflare.com/durable-objects/platform/limits/).
 * The Free plan caps the whole account at 5 GB instead.
 */
export const HOSTED_STORAGE_LIMIT_BYTES = 10 * 1000 ** 3;

const COLOR = '#0f80cc';

export interface HostedDatabaseView {
  /** The connection's id: query, browse and export it under /api/connections/{id}. */
  id: string;
  name: string;
  description: string;
  sizeBytes: number;
  limitBytes: number;
  lastImportAt: string | null;
  createdAt: string;
}

export function hostedStub(env: Env, connectionId: string): DurableObjectStub<HostedSqlite> {
  return env.HOSTED_SQLITE.get(env.HOSTED_SQLITE.idFromName(connectionId));
}

type Joined = { hosted: HostedDatabaseRow; name: string; description: string };

const viewOf = ({ hosted, name, description }: Joined): HostedDatabaseView => ({
  id: hosted.connectionId,
  name,
  description,
  sizeBytes: hosted.sizeBytes,
  limitBytes: HOSTED_STORAGE_LIMIT_BYTES,
  lastImportAt: hosted.lastImportAt ? hosted.lastImportAt.toISOString() : null,
  createdAt: hosted.createdAt.toISOString(),
});

const joined = (env: Env) =>
  db(env)
    .select({ hosted: hostedDatabases, name: connections.name, description: connections.description })
    .from(hostedDatabases)
    .innerJoin(connections, eq(connections.id, hostedDatabases.connectionId));

/** The organization's hosted databases, sizes as last measured. */
export async function listHosted(ctx: ServiceContext, scope: Scope): Promise<HostedDatabaseView[]> {
  const rows = await joined(ctx.env)
    .where(eq(hostedDatabases.orgId, scope.orgId))
    .orderBy(asc(connections.name));
  return rows.map(viewOf);
}

/** 404 unless `id` is a hosted database of the caller's organization. */
export async function loadHosted(env: Env, orgId: string, id: string): Promise<Joined> {
  const [row] = await joined(env)
    .where(and(eq(hostedDatabases.connectionId, id), eq(hostedDatabases.orgId, orgId)))
    .limit(1);
  if (!row) throw notFound('Hosted database');
  return row;
}

/** One hosted database with its size asked of the object now (remembered for the list after the response). */
export async function getHosted(ctx: ServiceContext, scope: Scope, id: string): Promise<HostedDatabaseView> {
  const row = await loadHosted(ctx.env, scope.orgId, id);
  const size = await hostedStub(ctx.env, id).size();
  if (size !== row.hosted.sizeBytes) {
    await afterResponse(ctx, storeSize(ctx.env, id, { sizeBytes: size }), 'hosted_size_failed');
  }
  row.hosted.sizeBytes = size;
  return viewOf(row);
}

/** Asks the object its size and stores it on the row, with the import's time. */
export async function rememberImport(env: Env, id: string, importedAt: Date): Promise<void> {
  const size = await hostedStub(env, id).size();
  await storeSize(env, id, { sizeBytes: size, lastImportAt: importedAt });
}

const storeSize = (env: Env, id: string, set: { sizeBytes: number; lastImportAt?: Date }) =>
  db(env).update(hostedDatabases).set(set).where(eq(hostedDatabases.connectionId, id));

export interface CreateHostedInput {
  name: string;
  description?: string | undefined;
}

/** The connection row, the hosted row and the audit entry commit together. */
export async function createHosted(
  ctx: ServiceContext,
  scope: Scope,
  input: CreateHostedInput,
): Promise<HostedDatabaseView> {
  const id = crypto.randomUUID();
  const now = new Date();
  const connection: NewConnectionRow = {
    id,
    orgId: scope.orgId,
    name: input.name,
    description: input.description ?? '',
    color: COLOR,
    engine: 'sqlite',
    // How settingsFromRow knows a hosted database; the row's id names its object.
    transport: 'hosted',
    secret: null,
    createdBy: scope.userId,
    createdAt: now,
    updatedAt: now,
  };
  const hosted: HostedDatabaseRow = {
    connectionId: id,
    orgId: scope.orgId,
    sizeBytes: 0,
    lastImportAt: null,
    createdBy: scope.userId,
    createdAt: now,
  };
  const d1 = db(ctx.env);
  try {
    await d1.batch([
      d1.insert(connections).values(connection),
      d1.insert(hostedDatabases).values(hosted),
      connectionAudit(ctx.env, scope, 'hosted_database.create', id, 'success', null),
    ]);
  } catch (err) {
    const text = err instanceof Error ? `${err.message} ${String(err.cause ?? '')}` : '';
    if (text.includes('UNIQUE constraint failed')) {
      throw conflict(
        'connection_name_taken',
        `A connection named "${input.name}" already exists in this organization`,
      );
    }
    throw err;
  }
  forgetConnection(scope.orgId, id);
  return viewOf({ hosted, name: input.name, description: input.description ?? '' });
}

/**
 * Drops the database for good: the caller types its name to confirm. The object's storage goes
 * first, so a failure leaves the rows to retry with; then the connection, its schema snapshots,
 * documents' links to it and the hosted row go in one transaction with the audit entry.
 */
export async function dropHosted(
  ctx: ServiceContext,
  scope: Scope,
  id: string,
  confirm: string,
): Promise<void> {
  const row = await loadHosted(ctx.env, scope.orgId, id);
  if (confirm !== row.name) {
    throw badRequest('confirmation_mismatch', `Type the database's name, "${row.name}", to drop it`);
  }
  const size = await hostedStub(ctx.env, id)
    .size()
    .catch(() => row.hosted.sizeBytes);
  await hostedStub(ctx.env, id).destroy();
  await removeConnection(
    ctx.env,
    scope,
    id,
    connectionAudit(ctx.env, scope, 'hosted_database.drop', id, 'success', {
      name: row.name,
      sizeBytes: size,
    }),
  );
}

/**
 * Refuses to delete a hosted database's connection through the plain connection route: its
 * storage would be orphaned, and dropping data is confirmed by name (409 `hosted_database`).
 */
export async function refuseHostedConnectionDelete(env: Env, orgId: string, id: string): Promise<void> {
  const [row] = await db(env)
    .select({ id: hostedDatabases.connectionId })
    .from(hostedDatabases)
    .where(and(eq(hostedDatabases.connectionId, id), eq(hostedDatabases.orgId, orgId)))
    .limit(1);
  if (row) {
    throw new ApiError(
      409,
      'hosted_database',
      'This connection is a database hosted by Atrium: drop it from its page (DELETE /api/hosted-databases/{id}), typing its name',
    );
  }
}

/** Wipes every hosted database's object of `orgId`; call before deleting the organization. */
export async function destroyOrgHosted(env: Env, orgId: string): Promise<number> {
  const rows = await db(env)
    .select({ id: hostedDatabases.connectionId })
    .from(hostedDatabases)
    .where(eq(hostedDatabases.orgId, orgId));
  for (const row of rows) await hostedStub(env, row.id).destroy();
  return rows.length;
}
