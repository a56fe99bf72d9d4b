import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organizations, users } from './auth.ts';

/**
 * Shared SQL documents. The content (a Yjs document) lives in the document's Durable
 * Object (durable-objects/document-room.ts); D1 mirrors what listing needs: title, linked
 * connection, owner and times. `updated_at` also moves when the content changes (the
 * room writes it, debounced).
 */
export const documents = sqliteTable(
  'document',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    /** The connection the document's queries run against; null when none is chosen. */
    connectionId: text('connection_id'),
    /** Who created it; kept (as null) when that account is deleted so the org keeps the document. */
    ownerId: text('owner_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(sql`(unixepoch() * 1000)`),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [index('document_org_updated_idx').on(t.organizationId, t.updatedAt, t.id)],
);

export type DocumentRow = typeof documents.$inferSelect;
