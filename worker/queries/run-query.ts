import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { authorize, can } from '../auth/policy.ts';
import { isBuiltinId } from '../connections/builtins.ts';
import { usesReadOnlyLogin } from '../connections/read-only-login.ts';
import type { StatementResult } from '../engines/engine.ts';
import type { AppEnv } from '../env.ts';
import { badRequest } from '../errors.ts';
import { afterResponse, serviceContext } from '../lib/after-response.ts';
import { timed } from '../middleware/server-timing.ts';
import { invalidateSchema } from '../schema/cache.ts';
import { ResultCache, readQuerySettings } from './cache.ts';
import { toApiError } from './engine-errors.ts';
import { type ExecutionSpec, runExecution } from './execution.ts';
import { recordExecution } from './history.ts';
import { assertReadOnlyScript } from './read-only-guard.ts';
import { type SplitStatement, splitStatements } from './split.ts';

export const MAX_ROWS_DEFAULT = 1000;
export const MAX_ROWS_LIMIT = 10_000;
export const TIMEOUT_DEFAULT_MS = 30_000;
export const TIMEOUT_LIMIT_MS = 300_000;

/** A positional parameter as JSON can carry it; engines map it to the database's type. */
export const Param = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]);

export const QueryBody = z
  .object({
    sql: z
      .string()
      .min(1)
      .max(1_000_000)
      .optional()
      .openapi({ example: 'select * from film where film_id = $1' }),
    statements: z
      .array(
        z.object({ sql: z.string().min(1).max(1_000_000), params: z.array(Param).max(10_000).optional() }),
      )
      .min(1)
      .max(500)
      .optional()
      .openapi({
        description:
          'A script given statement by statement (each with its own params); runs in one transaction.',
      }),
    params: z
      .array(Param)
      .max(10_000)
      .optional()
      .openapi({ description: 'Positional parameters for a single statement in `sql`.' }),
    maxRows: z.number().int().min(1).max(MAX_ROWS_LIMIT).default(MAX_ROWS_DEFAULT),
    timeoutMs: z.number().int().min(100).max(TIMEOUT_LIMIT_MS).default(TIMEOUT_DEFAULT_MS),
    readOnly: z.boolean().optional().openapi({
      description: 'Run in a read-only transaction. Always true for viewers; editors default to false.',
    }),
  })
  .refine((b) => (b.sql === undefined) !== (b.statements === undefined), {
    message: 'Send either `sql` or `statements`',
  })
  .openapi('QueryRequest');
export type QueryBody = z.infer<typeof QueryBody>;

export const StatementResultSchema = z
  .object({
    columns: z.array(z.object({ name: z.string(), type: z.string() })),
    rows: z.array(z.array(z.unknown())),
    affectedRows: z.number().nullable(),
    truncated: z.boolean(),
    truncatedReason: z
      .enum(['rows', 'bytes'])
      .optional()
      .openapi({ description: 'Why reading stopped early: `maxRows` reached, or the response byte cap.' }),
    command: z.string().nullable(),
    notices: z.array(z.string()),
    durationMs: z.number(),
  })
  .openapi('StatementResult');

export const QueryResponse = z
  .object({
    results: z.array(StatementResultSchema),
    readOnly: z.boolean(),
    cached: z.boolean(),
    durationMs: z.number(),
  })
  .openapi('QueryResponse');
export type QueryResponse = z.infer<typeof QueryResponse>;

const DDL = /^(create|alter|drop|rename|truncate|comment|grant|revoke)\b/i;
const LEADING_COMMENTS = /^(\s|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/;

/** Schema-changing statements, by command tag when the engine gives one, else by first keyword. */
function changesSchema(statement: string, result: StatementResult | undefined): boolean {
  const tag = result?.command ?? statement.replace(LEADING_COMMENTS, '').split(/\s/, 1)[0] ?? '';
  return DDL.test(tag);
}

const rowCountOf = (results: StatementResult[]) =>
  results.reduce((n, r) => n + (r.affectedRows ?? 0) + (r.affectedRows === null ? r.rows.length : 0), 0);

/**
 * POST /api/connections/:id/query: validate → authorize → (cache) → rate-limit →
 * execute → format → record. Read-only is the database's job: the engine opens
 * a read-only transaction. The read-only guard is defence in depth on top: it
 * refuses transaction control (and server-side effects) before any statement is sent.
 */
export async function runQuery(
  c: Context<AppEnv>,
  connectionId: string,
  body: QueryBody,
): Promise<QueryResponse> {
  const auth = c.get('auth');
  // Built-ins are read-only for everyone: asking `readOnly: false` there is refused (403 read_only_connection).
  const readOnly = body.readOnly ?? (isBuiltinId(connectionId) || !can(auth?.role, 'query.write'));
  // The request's one authorization decision; the execution pipeline and openEngine take it as is.
  const caller = authorize(auth, readOnly ? 'query.read' : 'query.write');
  if (body.sql === undefined && body.params?.length) {
    throw badRequest('invalid_request', '`params` go with `sql`; give each statement its own params instead');
  }
  const text = body.sql ?? (body.statements ?? []).map((s) => s.sql).join(';\n');

  const settings = readOnly
    ? await timed(
        c,
        'metadata',
        readQuerySettings(c.env, caller.orgId, connectionId, serviceContext(c).waitUntil),
      )
    : null;
  const cacheInput = {
    sql: body.sql,
    statements: body.statements,
    params: body.params,
    maxRows: body.maxRows,
  };
  const cache = settings?.cacheEnabled ? new ResultCache() : null;
  if (cache) {
    const started = Date.now();
    const hit = await cache.get<QueryResponse>(caller.orgId, connectionId, cacheInput);
    if (hit) {
      await afterResponse(c, () =>
        recordExecution(c.env, {
          auth: caller,
          connectionId,
          kind: 'query',
          statement: text,
          statementCount: hit.results.length,
          readOnly: true,
          cached: true,
          startedAt: started,
          durationMs: Date.now() - started,
          rowCount: rowCountOf(hit.results as StatementResult[]),
          outcome: 'ok',
        }),
      );
      return { ...hit, cached: true };
    }
  }

  const spec: ExecutionSpec = {
    connectionId,
    kind: 'query',
    statement: text,
    statementCount: body.statements?.length ?? 1,
    readOnly,
    timeoutMs: body.timeoutMs,
  };
  const started = Date.now();
  const response = await runExecution(c, caller, spec, async (engine, signal) => {
    const statements: (SplitStatement & { params?: readonly unknown[] })[] = body.statements
      ? body.statements.map((s) => ({ sql: s.sql, params: s.params, offset: 0 }))
      : splitStatements(body.sql ?? '', engine.name);
    if (statements.length === 0)
      throw badRequest('empty_query', 'There is no statement to run (only comments?)');
    if (statements.length > 1 && body.sql !== undefined && body.params?.length) {
      throw badRequest(
        'params_with_script',
        'Parameters apply to a single statement; send `statements` to parameterize a script',
      );
    }
    // Recorded with the real count once the script is split.
    spec.statementCount = statements.length;
    // The dialect is the connection's, known once it is opened; opening sends no user SQL, and every
    // statement (a single one through Neon's HTTP path included) is checked before any is sent.
    if (readOnly) {
      // Under a trusted read-only login the database itself refuses server-side effects.
      assertReadOnlyScript(statements, engine.name, { refuseServerEffects: !usesReadOnlyLogin(engine) });
    }
    const options = { readOnly, timeoutMs: body.timeoutMs, maxRows: body.maxRows, signal };
    const single = statements.length === 1 ? statements[0] : undefined;
    const results = single
      ? [
          await engine
            .query(single.sql, { ...options, params: body.sql !== undefined ? body.params : single.params })
            // Positions count from the start of what the user sent, not of the split statement.
            .catch((err: unknown) => {
              throw toApiError(err, { offset: single.offset });
            }),
        ]
      : await engine.script(
          statements.map((s) => ({ sql: s.sql, params: s.params })),
          options,
        );
    if (!readOnly && statements.some((s, i) => changesSchema(s.sql, results[i]))) {
      // The schema browser's snapshot is now stale: it re-syncs on next read, and this
      // isolate's copy of the head goes at once.
      await invalidateSchema(c.env, connectionId, caller.orgId);
    }
    return {
      value: { results, readOnly, cached: false, durationMs: Date.now() - started },
      rowCount: rowCountOf(results),
    };
  });
  if (cache && settings) {
    await cache.put(caller.orgId, connectionId, cacheInput, response, settings.cacheTtlSeconds);
  }
  return response;
}
