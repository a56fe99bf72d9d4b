/**
 * The live "schema changed" signal. After a sync that changed the structure, every
 * document room linked to the connection is told, so open editors and pages can
 * refresh their schema (autocomplete, browser) without polling.
 */
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { SchemaChangedEvent } from '../../durable-objects/protocol.ts';
import { roomOf } from '../documents/rooms.ts';
import type { Env } from '../env.ts';
import { documents } from '../meta/documents.ts';

/** Tells every room of `orgId` whose document is linked to the connection. Returns rooms told. */
export async function notifySchemaChanged(
  env: Env,
  orgId: string,
  event: SchemaChangedEvent,
): Promise<number> {
  const rows = await drizzle(env.DB)
    .select({ id: documents.id })
    .from(documents)
    .where(and(eq(documents.organizationId, orgId), eq(documents.connectionId, event.connectionId)));
  const told = await Promise.allSettled(rows.map((row) => roomOf(env, row.id).schemaChanged(event)));
  return told.filter((r) => r.status === 'fulfilled').length;
}
