/**
 * The one interface every user-database engine implements. Routes and services
 * talk to an `Engine`; only the engine folders beside this file import a driver.
 *
 * Values crossing this interface are JSON-safe, the same for every engine:
 * - integers that fit in 2^53 are numbers; bigger ones (int8/bigint) are strings;
 * - numeric/decimal are strings (exact digits, never a float);
 * - timestamps are ISO-8601 strings (with offset when the type has a zone);
 *   dates 'YYYY-MM-DD'; times as the server prints them;
 * - json/jsonb are parsed values; arrays are arrays;
 * - binary (bytea/blob) is `{ "$binary": "<base64>" }`;
 * - NULL is null.
 */

import type { Capabilities, EngineName, SqlDialect } from './dialect.ts';
import type { LiveTable, SchemaObjects, SchemaSnapshot } from './schema-model.ts';

export type { Capabilities, EngineName, SqlDialect } from './dialect.ts';

export interface ColumnMeta {
  name: string;
  /** The engine's own type name (e.g. `int8`, `varchar`, `TEXT`). */
  type: string;
}

export interface StatementResult {
  columns: ColumnMeta[];
  /** Row values in column order (arrays, so duplicate column names survive). */
  rows: unknown[][];
  /** Rows written by INSERT/UPDATE/DELETE; null for reads. */
  affectedRows: number | null;
  /** True when reading stopped early: more rows existed than `maxRows`, or the byte cap was hit. */
  truncated: boolean;
  /** Why `truncated`: the row limit, or the per-response byte cap; absent when not truncated. */
  truncatedReason?: 'rows' | 'bytes';
  /** The statement's command tag when the engine reports one (`SELECT`, `UPDATE`...). */
  command: string | null;
  notices: string[];
  durationMs: number;
}

export interface QueryOptions {
  params?: readonly unknown[];
  /** Enforced by the database (read-only transaction / query_only), never by parsing. */
  readOnly?: boolean;
  /** Enforced by the database (statement_timeout / max_execution_time) and by aborting. */
  timeoutMs?: number;
  /** Stop reading after this many rows and set `truncated`; the server is asked for no more. */
  maxRows?: number;
  /** Stop reading past this many result bytes (at most, and by default, 16 MB). */
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface Statement {
  sql: string;
  params?: readonly unknown[];
}

export interface TestResult {
  latencyMs: number;
  serverVersion: string;
}

/** Why a login counts as privileged: it can reach past the database into the server. */
export type PrivilegeReason =
  | 'superuser'
  | 'pg_execute_server_program'
  | 'pg_write_server_files'
  | 'pg_read_server_files'
  | 'super'
  | 'file'
  | 'all_privileges';

/** What the server says the connected login may do beyond reading and writing rows. */
export interface LoginPrivileges {
  /** The login as the server names it (`current_user`); null where there are no logins (D1). */
  user: string | null;
  privileged: boolean;
  reasons: PrivilegeReason[];
}

export interface StreamOptions {
  params?: readonly unknown[];
  batchSize?: number;
  signal?: AbortSignal;
  /**
   * The text is Atrium's own (a whole-table SELECT from sqlBuilder, no caller SQL), so an engine
   * may wrap it in another statement, e.g. PostgreSQL's COPY. Never set for a caller's query.
   */
  ownText?: boolean;
}

export interface Engine {
  readonly name: EngineName;
  /** What this engine can do; code outside `engines/` asks these, never `name`. */
  readonly capabilities: Capabilities;
  /** The facts SQL text needs: Kysely's compiler, the script splitter's rules. */
  readonly dialect: SqlDialect;
  /** Opens a round trip and reports latency and the server's version. */
  test(options?: { timeoutMs?: number }): Promise<TestResult>;
  /** One statement with positional parameters. */
  query(sql: string, options?: QueryOptions): Promise<StatementResult>;
  /** Several statements in one transaction; all or nothing; one result each. */
  script(
    statements: readonly Statement[],
    options?: Omit<QueryOptions, 'params'>,
  ): Promise<StatementResult[]>;
  /**
   * Reads a large result in batches with flat memory, for exports. The first
   * batch carries the columns.
   */
  stream(sql: string, options?: StreamOptions): AsyncIterable<{ columns: ColumnMeta[]; rows: unknown[][] }>;
  /** Reads the whole structure of what it is connected to, in a constant number of catalog queries. */
  introspect(): Promise<SchemaSnapshot>;
  /** Extensions, types, routines, triggers and events that a snapshot leaves out, for DDL export. */
  schemaObjects(): Promise<SchemaObjects>;
  /** One table's or view's columns and primary key, names bound as parameters; null when absent. */
  describeTable(schema: string, table: string): Promise<LiveTable | null>;
  /** Asks the server what the connected login may do (superuser, server files and programs). */
  privileges(options?: { timeoutMs?: number }): Promise<LoginPrivileges>;
  /** Releases sockets; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Failures are values with codes; routes map them to HTTP in worker/errors.ts.
 * `message` must never contain the password or the connection string.
 */
export type EngineErrorCode =
  | 'auth_failed'
  | 'host_not_found'
  | 'connection_refused'
  | 'tls_error'
  | 'timeout'
  | 'invalid_config'
  | 'unsupported'
  | 'read_only_violation'
  | 'query_error'
  /** The server (or the login) has no free connection slot; retry once one frees up. */
  | 'too_many_connections'
  | 'upstream_error';

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  /** The database's own error code (SQLSTATE, MySQL errno), when there is one. */
  readonly dbCode: string | undefined;
  /** 1-based character position of the error in the statement, when known. */
  readonly position: number | undefined;

  constructor(
    code: EngineErrorCode,
    message: string,
    options: { dbCode?: string; position?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'EngineError';
    this.code = code;
    this.dbCode = options.dbCode;
    this.position = options.position;
  }
}
