import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The audit log. Append-only: the API only ever inserts (worker/audit/record.ts),
 * and there is no foreign key to users or organizations so entries outlive them.
 * The autoincrement id orders entries and is the pagination cursor.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' })
      .notNull()
      .default(sql`(unixepoch() * 1000)`)
      .$defaultFn(() => new Date()),
    /** Null for events outside any organization (a failed sign-in for an unknown email). */
    organizationId: text('organization_id'),
    actorId: text('actor_id'),
    actorEmail: text('actor_email'),
    /** `session` or `token`, and which token. */
    via: text('via'),
    tokenId: text('token_id'),
    action: text('action').notNull(),
    /** What was acted on, e.g. `org:<id>`, `member:<userId>`, `connection:<id>`. */
    target: text('target'),
    outcome: text('outcome', { enum: ['success', 'failure', 'denied'] }).notNull(),
    /** Executed SQL, capped (see MAX_STATEMENT_CHARS); never parameters' values. */
    statement: text('statement'),
    durationMs: integer('duration_ms'),
    rows: integer('rows'),
    ip: text('ip'),
    /** Small JSON object of extra facts (role changes, error codes); never secrets. */
    detail: text('detail'),
  },
  (t) => [
    index('audit_org_id_idx').on(t.organizationId, t.id),
    index('audit_org_action_idx').on(t.organizationId, t.action, t.id),
  ],
);
