/**
 * SQLite hosted by Atrium: a database living in a Durable Object's own SQLite storage
 * (durable-objects/hosted-sqlite.ts), reached over RPC. The engine (sqlite-engine.ts) does
 * what it does for every transport — EXPLAIN before running, one statement per text, row
 * bounds, deadlines — and the object refuses a write on a read-only call by itself as well
 * (EXPLAIN, then a transaction rolled back if the cursor wrote a row).
 *
 * Limits that are the platform's: a statement cannot be cancelled once the object runs it
 * (SQL storage is synchronous; the deadline only stops waiting); 100 KB per statement, 100
 * bound parameters, 2 MB per row (developers.cloudflare.com/durable-objects/platform/limits/).
 */
import type { HostedParam, HostedSqlite, HostedStatement } from '../../../durable-objects/hosted-sqlite.ts';
import { EngineError } from '../engine.ts';
import { messageOf } from '../errors.ts';
import { SqliteEngine } from './sqlite-engine.ts';
import { fromD1Error } from './sqlite-errors.ts';
import type { SqliteRows, SqliteRun, SqliteStatement, SqliteTransport } from './sqlite-transport.ts';
import { fromSqlite, toD1Param } from './sqlite-values.ts';

/** The object refuses with a message that starts with the engine's code; anything else is SQLite's. */
function fromHostedError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const message = messageOf(err);
  const coded = /^(?:Error: )?(read_only_violation|query_error): (.*)$/s.exec(message);
  if (coded?.[1] === 'read_only_violation')
    return new EngineError('read_only_violation', `This connection is read-only: ${coded[2]}`);
  if (coded) return new EngineError('query_error', coded[2] ?? message);
  return fromD1Error(err);
}

const toWire = (s: SqliteStatement): HostedStatement => ({
  sql: s.sql,
  params: s.params?.map((p) => toD1Param(p) as HostedParam),
});

const toRows = (r: { columns: string[]; rows: unknown[][] }): SqliteRows => ({
  columns: r.columns,
  rows: r.rows.map((row) => row.map(fromSqlite)),
});

export class HostedSqliteTransport implements SqliteTransport {
  readonly #stub: DurableObjectStub<HostedSqlite>;

  constructor(stub: DurableObjectStub<HostedSqlite>) {
    this.#stub = stub;
  }

  async version(): Promise<string> {
    // SQL storage does not let statements call sqlite_version(), so the version is the service's name.
    return 'SQLite (Atrium-hosted Durable Object)';
  }

  async rows(s: SqliteStatement): Promise<SqliteRows> {
    try {
      return toRows(await this.#stub.rows(toWire(s)));
    } catch (err) {
      throw fromHostedError(err);
    }
  }

  async run(s: SqliteStatement): Promise<SqliteRun> {
    try {
      const r = await this.#stub.run(toWire(s));
      return { ...toRows(r), changes: r.changes };
    } catch (err) {
      throw fromHostedError(err);
    }
  }

  async batch(statements: readonly SqliteStatement[], options: { readOnly: boolean }): Promise<SqliteRun[]> {
    try {
      const results = await this.#stub.batch(statements.map(toWire), options.readOnly);
      return results.map((r) => ({ ...toRows(r), changes: r.changes }));
    } catch (err) {
      throw fromHostedError(err);
    }
  }

  async close(): Promise<void> {
    // An RPC stub holds no connection.
  }
}

/** The engine for hosted database `name` (its connection's id) in the `HOSTED_SQLITE` namespace. */
export function hostedSqliteEngine(
  namespace: DurableObjectNamespace<HostedSqlite> | undefined,
  name: string | undefined,
): SqliteEngine {
  if (!namespace) throw new EngineError('invalid_config', 'This deployment binds no HOSTED_SQLITE namespace');
  if (!name) throw new EngineError('invalid_config', 'A hosted SQLite connection names its database');
  return new SqliteEngine(new HostedSqliteTransport(namespace.get(namespace.idFromName(name))));
}
