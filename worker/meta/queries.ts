import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Query execution metadata: history, saved queries, per-connection query
 * settings and the concurrency slots. Rows reference connections by id without
 * a foreign key, so history and metrics survive a connection's deletion (like
 * the audit log) and this module does not depend on the connections domain.
 */

export const QUERY_OUTCOMES = ['ok', 'error', 'timeout', 'denied', 'rate_limited'] as const;
export type QueryOutcome = (typeof QUERY_OUTCOMES)[number];

/** One row per execution (a script counts once). `id` is a ULID-like sortable id. */
export const queryHistory = sqliteTable(
  'query_history',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    connectionId: text('connection_id').notNull(),
    userId: text('user_id').notNull(),
    /** Epoch milliseconds: the pagination cursor together with `id`. */
    startedAt: integer('started_at').notNull(),
    /** The SQL text, capped (MAX_HISTORY_STATEMENT_CHARS); never parameter values. */
    statement: text('statement').notNull(),
    statementCount: integer('statement_count').notNull(),
    /** `query`, `rows`, `export`, `import`: which API ran it. */
    kind: text('kind').notNull(),
    readOnly: integer('read_only', { mode: 'boolean' }).notNull(),
    cached: integer('cached', { mode: 'boolean' }).notNull().default(false),
    durationMs: integer('duration_ms').notNull(),
    rowCount: integer('row_count'),
    outcome: text('outcome', { enum: QUERY_OUTCOMES }).notNull(),
    errorCode: text('error_code'),
  },
  (t) => [
    index('query_history_org_idx').on(t.orgId, t.startedAt, t.id),
    index('query_history_conn_idx').on(t.connectionId, t.startedAt),
  ],
);

export const savedQueries = sqliteTable(
  'saved_query',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    /** Optional: a query may be written for one connection or be generic. */
    connectionId: text('connection_id'),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    sql: text('sql').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('saved_query_org_idx').on(t.orgId, t.name)],
);

/**
 * Per-connection query settings kept here rather than on `connection` (another domain's table),
 * keyed by organization too: a built-in connection is one id shared by every organization,
 * and each organization configures it for itself.
 */
export const querySettings = sqliteTable(
  'query_settings',
  {
    orgId: text('org_id').notNull(),
    connectionId: text('connection_id').notNull(),
    cacheEnabled: integer('cache_enabled', { mode: 'boolean' }).notNull().default(false),
    cacheTtlSeconds: integer('cache_ttl_seconds').notNull().default(60),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.connectionId] })],
);

/**
 * Running queries per (organization, connection), as leases. D1 serializes writes, so a
 * conditional INSERT ("only while fewer than N unexpired leases") is an atomic
 * acquire; a lease expires by itself if the Worker dies mid-query.
 */
export const querySlots = sqliteTable(
  'query_slot',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    connectionId: text('connection_id').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('query_slot_org_conn_idx').on(t.orgId, t.connectionId, t.expiresAt)],
);

export type QueryHistoryRow = typeof queryHistory.$inferSelect;
export type SavedQueryRow = typeof savedQueries.$inferSelect;
export type QuerySettingsRow = typeof querySettings.$inferSelect;
