import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { TRANSPORT_NAMES } from '../engines/config.ts';
import type { LoginPrivileges } from '../engines/engine.ts';
import { organizations } from './auth.ts';

/** The last test's findings per login; null for a login that was not (or could not be) checked. */
export interface PrivilegeFindings {
  login: LoginPrivileges | null;
  readOnlyLogin: LoginPrivileges | null;
}

export const ENGINE_NAMES = ['postgres', 'mysql', 'sqlite'] as const;
export const SSL_MODES = ['disable', 'require', 'verify-full'] as const;

/**
 * Saved connections to user databases, one organization each.
 *
 * Only non-secret parts are plain columns (host, port, database, user: what the
 * UI shows). The password and the connection string travel together in `secret`,
 * one vault envelope bound to the row id (worker/vault). When a connection string
 * is given, its host/port/database/user are copied into the plain columns so
 * lists and redacted previews never have to decrypt.
 */
export const connections = sqliteTable(
  'connection',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    color: text('color').notNull(),
    engine: text('engine', { enum: ENGINE_NAMES }).notNull(),
    /** True when the user gave a connection string rather than fields. */
    usesConnectionString: integer('uses_connection_string', { mode: 'boolean' }).notNull().default(false),
    host: text('host'),
    port: integer('port'),
    database: text('database'),
    user: text('user'),
    sslMode: text('ssl_mode', { enum: SSL_MODES }),
    /**
     * How the server is reached (worker/engines/config.ts `TRANSPORT_NAMES`); null on SQLite rows,
     * whose binding or URL says it. Rows saved before transports existed went through Neon and
     * PlanetScale, and migration 0011 keeps them there.
     */
    transport: text('transport', { enum: TRANSPORT_NAMES }),
    /** Transport `hyperdrive`: the Hyperdrive binding that supplies host and login (then no host). */
    hyperdrive: text('hyperdrive'),
    /** SQLite only: which built-in D1 binding this connection reads. */
    d1Binding: text('d1_binding'),
    /** Vault envelope of `{ password?, connectionString? }`; null when there is no secret. */
    secret: text('secret'),
    hasPassword: integer('has_password', { mode: 'boolean' }).notNull().default(false),
    /**
     * The read-only login viewers and read-only runs use (its password sits in `secret`
     * beside the main one); null when there is none.
     */
    readOnlyUser: text('read_only_user'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    lastTestOk: integer('last_test_ok', { mode: 'boolean' }),
    lastTestLatencyMs: integer('last_test_latency_ms'),
    lastTestServerVersion: text('last_test_server_version'),
    lastTestErrorCode: text('last_test_error_code'),
    lastTestErrorMessage: text('last_test_error_message'),
    lastTestedAt: integer('last_tested_at', { mode: 'timestamp_ms' }),
    /** What the last test found each login may do beyond its rows (worker/connections/privileges.ts). */
    lastTestPrivileges: text('last_test_privileges', { mode: 'json' }).$type<PrivilegeFindings>(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('connection_org_name_idx').on(t.orgId, t.name),
    index('connection_org_used_idx').on(t.orgId, t.lastUsedAt),
  ],
);

export type ConnectionRow = typeof connections.$inferSelect;
export type NewConnectionRow = typeof connections.$inferInsert;

/**
 * Built-in connections (worker/connections/builtins.ts) have no row of their own;
 * each organization's last test result and last use of them live here, so the
 * dashboard treats them like any other connection.
 */
export const builtinConnectionState = sqliteTable(
  'builtin_connection_state',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    builtinId: text('builtin_id').notNull(),
    lastTestOk: integer('last_test_ok', { mode: 'boolean' }),
    lastTestLatencyMs: integer('last_test_latency_ms'),
    lastTestServerVersion: text('last_test_server_version'),
    lastTestErrorCode: text('last_test_error_code'),
    lastTestErrorMessage: text('last_test_error_message'),
    lastTestedAt: integer('last_tested_at', { mode: 'timestamp_ms' }),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.builtinId] })],
);

export type BuiltinStateRow = typeof builtinConnectionState.$inferSelect;
