import { DurableObject } from 'cloudflare:workers';
import { hasSecondStatement } from '../worker/engines/sqlite/sqlite-text.ts';
import {
  type DumpOutcome,
  type DumpStatement,
  HOSTED_MAX_RESULT_BYTES,
  type HostedRows,
  type HostedRun,
  type HostedStatement,
  isReadOnlyProgram,
  valueBytes,
} from './hosted-sqlite-rules.ts';

export type {
  DumpOutcome,
  DumpStatement,
  HostedParam,
  HostedRows,
  HostedRun,
  HostedStatement,
} from './hosted-sqlite-rules.ts';

/** Thrown inside `transactionSync` so a read-only call that wrote anything is rolled back whole. */
class WroteInReadOnly extends Error {}

/**
 * One organization's SQLite database, living in this object's own SQLite storage
 * (`ctx.storage.sql`); the object's name is the id of the connection that reaches it
 * (worker/engines/sqlite/hosted-do.ts talks to it over RPC).
 *
 * Read-only calls are refused by the database itself twice over: the statement is compiled
 * with `EXPLAIN` first and refused when its program would open a write transaction (the test
 * `sqlite3_stmt_readonly` makes), and it then runs inside `transactionSync`, which is rolled
 * back when the cursor reports a written row — so even a write the first check missed leaves
 * nothing behind. The storage runs every statement of a text it is handed (`select 1; drop…`
 * runs the drop), so a read-only call holding a second statement is refused here as well as in
 * the engine. Writes (`run`, `batch`) are the engine's to allow: it sends only what the caller's
 * role and the statement's own program permit.
 *
 * A Durable Object runs one call at a time, and SQL storage is synchronous, so a call is atomic
 * with respect to every other call on this database.
 */
// It reads no bindings, so it names none (and the Worker's Env need not import back from here).
export class HostedSqlite extends DurableObject<Record<string, never>> {
  get #sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  #exec(s: HostedStatement) {
    return this.#sql.exec(s.sql, ...(s.params ?? []));
  }

  /**
   * Foreign keys on, as SQL storage starts. An import turns them off; SQLite ignores the pragma
   * inside a transaction, and the platform holds one open until the call's writes commit, so
   * the import cannot turn them back on itself: every other call does, before it writes.
   */
  #foreignKeysOn(): void {
    this.#sql.exec('PRAGMA foreign_keys = ON');
  }

  /** Rows of a statement that must not write; the byte cap is counted while reading. */
  rows(s: HostedStatement): HostedRows {
    this.#foreignKeysOn();
    if (hasSecondStatement(s.sql)) throw new Error('query_error: send one statement at a time');
    const explained = /^\s*explain\b/i.test(s.sql);
    if (!explained && !isReadOnlyProgram(Array.from(this.#exec({ ...s, sql: `EXPLAIN ${s.sql}` }).raw()))) {
      throw new Error('read_only_violation: the statement would write');
    }
    try {
      return this.ctx.storage.transactionSync(() => {
        const cursor = this.#exec(s);
        const rows: SqlStorageValue[][] = [];
        let bytes = 0;
        for (const row of cursor.raw()) {
          bytes += valueBytes(row);
          if (bytes > HOSTED_MAX_RESULT_BYTES) {
            throw new Error(`query_error: the result is larger than ${HOSTED_MAX_RESULT_BYTES} bytes`);
          }
          rows.push(row);
        }
        if (cursor.rowsWritten > 0) throw new WroteInReadOnly();
        return { columns: cursor.columnNames, rows };
      });
    } catch (err) {
      if (err instanceof WroteInReadOnly) throw new Error('read_only_violation: the statement wrote');
      throw err;
    }
  }

  /** One statement that may write; rows only for RETURNING. */
  run(s: HostedStatement): HostedRun {
    this.#foreignKeysOn();
    return this.#write(s);
  }

  #write(s: HostedStatement): HostedRun {
    const cursor = this.#exec(s);
    const rows = Array.from(cursor.raw());
    return { columns: cursor.columnNames, rows, changes: cursor.rowsWritten };
  }

  /** The statements as one transaction; a read-only batch that writes anything is rolled back. */
  batch(statements: readonly HostedStatement[], readOnly: boolean): HostedRun[] {
    this.#foreignKeysOn();
    if (readOnly) return statements.map((s) => ({ ...this.rows(s), changes: 0 }));
    return this.ctx.storage.transactionSync(() => statements.map((s) => this.#write(s)));
  }

  /**
   * One batch of a dump's statements, each on its own (a failing one is reported with its line
   * and the rest go on, as `sqlite3` does reading a file). Foreign keys are off while a batch
   * runs, as the dump itself asks (`PRAGMA foreign_keys=OFF`): a dump inserts a child table's
   * rows before its parent's, and a deferred violation left at commit would make the platform
   * reset the whole object. The next call of any other kind turns them on again.
   */
  importBatch(statements: readonly DumpStatement[]): DumpOutcome {
    const outcome: DumpOutcome = { executed: 0, errors: [] };
    this.#sql.exec('PRAGMA foreign_keys = OFF');
    for (const s of statements) {
      try {
        this.#write({ sql: s.sql });
        outcome.executed++;
      } catch (err) {
        outcome.errors.push({ line: s.line, message: err instanceof Error ? err.message : String(err) });
      }
    }
    return outcome;
  }

  /** Rows that break a foreign key after an import (`PRAGMA foreign_key_check`), capped. */
  foreignKeyViolations(): number {
    this.#foreignKeysOn();
    return this.#sql.exec('SELECT count(*) AS n FROM pragma_foreign_key_check').one().n as number;
  }

  /** Bytes the database takes in storage (what the platform's per-object limit counts). */
  size(): number {
    return this.#sql.databaseSize;
  }

  /** Drops the database: every table and the object's storage, for good. */
  async destroy(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
