import { and, desc, eq, lt, or, type SQL, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { RoomStats } from '../../durable-objects/document-room.ts';
import type { DocumentContent } from '../../durable-objects/document-shape.ts';
import { newId } from '../auth/secrets.ts';
import type { Env } from '../env.ts';
import { notFound } from '../errors.ts';
import { decodeKeyCursor, encodeCursor } from '../lib/cursor.ts';
import { type DocumentRow, documents } from '../meta/documents.ts';
import { roomOf } from './rooms.ts';

/** The API's view of a document (content only on single reads). */
export interface DocumentView {
  id: string;
  title: string;
  connectionId: string | null;
  ownerId: string | null;
  createdAt: string;
  updatedAt: string;
  content?: DocumentContent;
}

export const viewOf = (row: DocumentRow): DocumentView => ({
  id: row.id,
  title: row.title,
  connectionId: row.connectionId,
  ownerId: row.ownerId,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const db = (env: Env) => drizzle(env.DB);

export interface ListOptions {
  q?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** Newest-updated first; the cursor is the last row's (updatedAt, id), opaque to clients. */
export async function listDocuments(
  env: Env,
  orgId: string,
  options: ListOptions,
): Promise<{ documents: DocumentView[]; nextCursor: string | null }> {
  const conditions: SQL[] = [eq(documents.organizationId, orgId)];
  // instr, not LIKE: D1 refuses LIKE patterns over 50 bytes, shorter than a search may be.
  if (options.q) conditions.push(sql`instr(lower(${documents.title}), lower(${options.q})) > 0`);
  if (options.cursor) {
    const [updatedAt, id] = decodeKeyCursor(options.cursor);
    const at = new Date(updatedAt);
    const older = or(lt(documents.updatedAt, at), and(eq(documents.updatedAt, at), lt(documents.id, id)));
    if (older) conditions.push(older);
  }
  const rows = await db(env)
    .select()
    .from(documents)
    .where(and(...conditions))
    .orderBy(desc(documents.updatedAt), desc(documents.id))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    documents: page.map(viewOf),
    nextCursor:
      rows.length > options.limit && last ? encodeCursor([last.updatedAt.getTime(), last.id]) : null,
  };
}

export async function loadDocument(env: Env, orgId: string, id: string): Promise<DocumentRow> {
  const row = await db(env)
    .select()
    .from(documents)
    .where(and(eq(documents.id, id), eq(documents.organizationId, orgId)))
    .get();
  // Another organization's document is "not found", never "forbidden": ids do not leak.
  if (!row) throw notFound('Document');
  return row;
}

export async function createDocument(
  env: Env,
  input: {
    orgId: string;
    ownerId: string;
    title: string;
    connectionId: string | null;
    sql?: string | undefined;
    /** Near the creating member (documents/room-location.ts). */
    locationHint?: DurableObjectLocationHint | undefined;
  },
): Promise<DocumentRow> {
  const id = newId();
  // The room first: a D1 row never points at a room that does not know its organization.
  await roomOf(env, id, input.locationHint).initialize(input.orgId, input.sql);
  const now = new Date();
  const [row] = await db(env)
    .insert(documents)
    .values({
      id,
      organizationId: input.orgId,
      title: input.title,
      connectionId: input.connectionId,
      ownerId: input.ownerId,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row!;
}

export async function updateDocument(
  env: Env,
  orgId: string,
  id: string,
  patch: { title?: string | undefined; connectionId?: string | null | undefined },
): Promise<DocumentRow> {
  await loadDocument(env, orgId, id);
  const [row] = await db(env)
    .update(documents)
    .set({
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.connectionId !== undefined ? { connectionId: patch.connectionId } : {}),
      updatedAt: new Date(),
    })
    .where(and(eq(documents.id, id), eq(documents.organizationId, orgId)))
    .returning();
  if (!row) throw notFound('Document');
  return row;
}

/**
 * Wipes the room (closing its sockets with 4410) before the D1 row goes: if the second
 * step fails the document is still listed and the delete can be retried, while the
 * wiped room already refuses to reopen.
 */
export async function deleteDocument(env: Env, orgId: string, id: string): Promise<void> {
  await loadDocument(env, orgId, id);
  await roomOf(env, id).destroy();
  await db(env)
    .delete(documents)
    .where(and(eq(documents.id, id), eq(documents.organizationId, orgId)));
}

export async function documentContent(env: Env, id: string): Promise<DocumentContent> {
  return roomOf(env, id).readContent();
}

/** The room's own counts (durable-objects/document-room.ts `stats`). */
export async function documentStats(env: Env, id: string): Promise<RoomStats> {
  return roomOf(env, id).stats();
}
