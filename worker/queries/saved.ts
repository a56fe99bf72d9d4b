import { and, asc, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Env } from '../env.ts';
import { notFound } from '../errors.ts';
import { type SavedQueryRow, savedQueries } from '../meta/queries.ts';

export interface SavedQueryInput {
  name: string;
  sql: string;
  description?: string | undefined;
  connectionId?: string | null | undefined;
}

export interface SavedQueryView {
  id: string;
  name: string;
  description: string;
  sql: string;
  connectionId: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

const view = (row: SavedQueryRow): SavedQueryView => ({
  id: row.id,
  name: row.name,
  description: row.description,
  sql: row.sql,
  connectionId: row.connectionId,
  createdBy: row.createdBy,
  createdAt: new Date(row.createdAt).toISOString(),
  updatedAt: new Date(row.updatedAt).toISOString(),
});

/** Saved queries belong to an organization; every read and write is scoped to `orgId`. */
export async function listSaved(env: Env, orgId: string, connectionId?: string): Promise<SavedQueryView[]> {
  const rows = await drizzle(env.DB)
    .select()
    .from(savedQueries)
    .where(
      and(
        eq(savedQueries.orgId, orgId),
        connectionId ? eq(savedQueries.connectionId, connectionId) : undefined,
      ),
    )
    .orderBy(asc(savedQueries.name), asc(savedQueries.id));
  return rows.map(view);
}

export async function getSaved(env: Env, orgId: string, id: string): Promise<SavedQueryView> {
  const [row] = await drizzle(env.DB)
    .select()
    .from(savedQueries)
    .where(and(eq(savedQueries.id, id), eq(savedQueries.orgId, orgId)))
    .limit(1);
  if (!row) throw notFound('Saved query');
  return view(row);
}

export async function createSaved(env: Env, orgId: string, userId: string, input: SavedQueryInput) {
  const now = Date.now();
  const row: SavedQueryRow = {
    id: crypto.randomUUID(),
    orgId,
    connectionId: input.connectionId ?? null,
    name: input.name,
    description: input.description ?? '',
    sql: input.sql,
    createdBy: userId,
    createdAt: now,
    updatedAt: now,
  };
  await drizzle(env.DB).insert(savedQueries).values(row);
  return view(row);
}

export async function updateSaved(env: Env, orgId: string, id: string, patch: Partial<SavedQueryInput>) {
  const changes: Partial<SavedQueryRow> = { updatedAt: Date.now() };
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.sql !== undefined) changes.sql = patch.sql;
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.connectionId !== undefined) changes.connectionId = patch.connectionId;
  const [row] = await drizzle(env.DB)
    .update(savedQueries)
    .set(changes)
    .where(and(eq(savedQueries.id, id), eq(savedQueries.orgId, orgId)))
    .returning();
  if (!row) throw notFound('Saved query');
  return view(row);
}

export async function deleteSaved(env: Env, orgId: string, id: string): Promise<void> {
  const deleted = await drizzle(env.DB)
    .delete(savedQueries)
    .where(and(eq(savedQueries.id, id), eq(savedQueries.orgId, orgId)))
    .returning({ id: savedQueries.id });
  if (deleted.length === 0) throw notFound('Saved query');
}
