/**
 * What an engine is, apart from how it is reached: its name, what it can do, and the facts code
 * outside `engines/` needs to write SQL text for it. Code elsewhere reads these instead of
 * comparing an engine's name. Each engine folder exports one `SqlDialect`; `dialects.ts` finds
 * it from a name where only a stored name is at hand (a saved connection, a snapshot).
 */
import type { SplitterOptions } from 'dbgate-query-splitter';
import type { Expression, Dialect as KyselyDialect, SqlBool } from 'kysely';

export type EngineName = 'postgres' | 'mysql' | 'sqlite';

/** What the UI and services may rely on, read instead of checking the engine name. */
export interface Capabilities {
  /** Multi-statement scripts run atomically. */
  transactions: boolean;
  /** DDL inside a transaction rolls back with it (MySQL commits implicitly around DDL). */
  transactionalDdl: boolean;
  /** INSERT/UPDATE/DELETE … RETURNING hands back the written rows. */
  returning: boolean;
  /** What a namespace is: Postgres schemas, MySQL databases, or SQLite's single `main`. */
  namespaces: 'schemas' | 'databases' | 'single';
  /** How a connection names its database: host, port and login, or a Workers binding. */
  addressing: 'network' | 'binding';
  materializedViews: boolean;
  enums: boolean;
  /** Sequences and domains are introspected and exported as schema objects. */
  sequencesAndDomains: boolean;
  /** EXPLAIN output formats the engine produces; empty when it cannot explain. */
  explainFormats: ('text' | 'json')[];
  /** A running statement can be stopped on the server, not only abandoned by the client. */
  cancel: boolean;
  /**
   * How the database enforces a read-only run: a READ ONLY transaction, a read-only session,
   * or by refusing a compiled program that would write before it runs.
   */
  readOnlyMode: 'transaction' | 'session' | 'program';
  /** `stream()` is available for exports with flat memory. */
  streaming: boolean;
  /** `stream()` reads with a server-side cursor rather than LIMIT/OFFSET pages. */
  cursorStreaming: boolean;
  /** Logins exist and may hold server-wide privileges worth warning about. */
  logins: boolean;
  /** How SQL text written for this engine quotes an identifier (MySQL's default mode takes no `"`). */
  identifierQuote: '"' | '`';
}

/** The engine-specific facts SQL text needs, without the engine's name. */
export interface SqlDialect {
  readonly name: EngineName;
  readonly capabilities: Capabilities;
  /** Kysely's adapter, compiler and introspector for this dialect, with a driver that never connects. */
  readonly kysely: KyselyDialect;
  /** How the engine's own client splits a script into statements (quotes, comments, DELIMITER). */
  readonly splitterOptions: SplitterOptions;
  /**
   * An exact, case-sensitive substring test on a value's text form, the needle bound as a
   * parameter (the data grid's `contains` filter).
   */
  containsText(value: Expression<unknown>, needle: string): Expression<SqlBool>;
  /** The namespace a bare table name means, left out of SQL built here; null where names are always qualified. */
  readonly implicitNamespace: string | null;
  /**
   * How a DDL script carries routine bodies: a line before the first routine (Postgres turns off
   * body checks, as pg_dump does, since bodies may name tables created later) and the statement
   * delimiter a client must switch to (MySQL bodies hold `;`, so mysqldump wraps them in `DELIMITER ;;`).
   */
  readonly routineScript: { prologue: string | null; delimiter: string | null };
}
