import type { EngineName } from '../engines/engine.ts';
import { badRequest } from '../errors.ts';
import { assertReadOnlyScript, type ReadOnlyGuardOptions } from '../queries/read-only-guard.ts';
import { splitStatements } from '../queries/split.ts';

/**
 * An export's SQL must be exactly one statement: the engines stream it inside a
 * read-only transaction (a cursor on Postgres, a derived table on MySQL), and a
 * second statement is the classic way out of that transaction (`select 1;
 * commit; …`). The read-only guard then refuses transaction control and known
 * server-side effects before anything reaches the database, as defence in depth
 * on top of the read-only transaction. Returns the statement exactly as checked,
 * so what runs is what was inspected. Server-side effects are refused unless the run uses the
 * connection's trusted read-only login (see worker/connections/read-only-login.ts).
 */
export function singleExportStatement(
  sql: string,
  engine: EngineName,
  options: ReadOnlyGuardOptions,
): string {
  const statements = splitStatements(sql, engine);
  const [only] = statements;
  if (!only) throw badRequest('empty_query', 'There is no statement to export (only comments?)');
  if (statements.length > 1) {
    throw badRequest(
      'single_statement_required',
      `An export runs exactly one statement; this text holds ${statements.length}`,
    );
  }
  assertReadOnlyScript([{ sql: only.sql }], engine, options);
  return only.sql;
}
