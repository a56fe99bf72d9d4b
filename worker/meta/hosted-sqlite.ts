import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { organizations } from './auth.ts';
import { connections } from './connections.ts';

/**
 * SQLite databases Atrium hosts for an organization, one Durable Object each
 * (durable-objects/hosted-sqlite.ts). Each is reached through the saved connection it belongs
 * to (transport `hosted`), whose id names the object. The object's storage is outside D1: no
 * cascade reaches it, so the connection row is dropped only through the hosted-database route
 * (or the organization's deletion), which destroys the object first.
 */
export const hostedDatabases = sqliteTable(
  'hosted_database',
  {
    connectionId: text('connection_id')
      .primaryKey()
      .references(() => connections.id, { onDelete: 'cascade' }),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** The size the object last reported (list views read this instead of waking every object). */
    sizeBytes: integer('size_bytes').notNull().default(0),
    lastImportAt: integer('last_import_at', { mode: 'timestamp_ms' }),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('hosted_database_org_idx').on(t.orgId)],
);

export type HostedDatabaseRow = typeof hostedDatabases.$inferSelect;
