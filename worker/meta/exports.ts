import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * One-time export tickets: a POST stores the query, a later GET (a plain browser
 * download, which cannot carry a body) consumes it. D1 runs writes one at a time,
 * so `DELETE … RETURNING` hands a ticket to exactly one request across isolates.
 */
export const exportTickets = sqliteTable(
  'export_ticket',
  {
    /** SHA-256 (hex) of the ticket; the ticket itself is only in the create response. */
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    userId: text('user_id').notNull(),
    connectionId: text('connection_id').notNull(),
    sql: text('sql').notNull(),
    /** JSON array of positional parameters. */
    params: text('params').notNull().default('[]'),
    escapeFormulas: integer('escape_formulas', { mode: 'boolean' }).notNull(),
    filename: text('filename'),
    /** Epoch milliseconds. */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('export_ticket_expires_idx').on(t.expiresAt)],
);
