import { and, desc, eq, lt, or } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { auditInsert } from '../audit/index.ts';
import type { AuthContext } from '../auth/context.ts';
import { forgetDashboard } from '../connections/dashboard.ts';
import type { DeferredWrite as Bookkeeping } from '../connections/last-used.ts';
import type { Env } from '../env.ts';
import { decodeKeyCursor, encodeCursor } from '../lib/cursor.ts';
import { type QueryHistoryRow, type QueryOutcome, queryHistory } from '../meta/queries.ts';

/** History keeps the first 4 KB of a statement; the audit log applies its own cap. */
export const MAX_HISTORY_STATEMENT_CHARS = 4096;

export type ExecutionKind = 'query' | 'rows' | 'export' | 'import';

export interface ExecutionRecord {
  auth: AuthContext & { orgId: string };
  connectionId: string;
  kind: ExecutionKind;
  /** The SQL text as submitted (scripts joined); never parameter values. */
  statement: string;
  statementCount: number;
  readOnly: boolean;
  cached?: boolean;
  startedAt: number;
  durationMs: number;
  rowCount: number | null;
  outcome: QueryOutcome;
  errorCode?: string | null;
  ip?: string | null;
}

const AUDIT_OUTCOME = {
  ok: 'success',
  error: 'failure',
  timeout: 'failure',
  denied: 'denied',
  rate_limited: 'denied',
} as const;

export type { DeferredWrite as Bookkeeping } from '../connections/last-used.ts';

/**
 * Writes the history row, the audit entry and `extra` bookkeeping (slot release, last-used stamp)
 * in one D1 round trip. A failure to record is logged, not thrown: the statement has already run,
 * and answering 500 would invite a client to run a write twice.
 */
export async function recordExecution(
  env: Env,
  record: ExecutionRecord,
  extra: readonly Bookkeeping[] = [],
): Promise<void> {
  const db = drizzle(env.DB);
  const statement =
    record.statement.length > MAX_HISTORY_STATEMENT_CHARS
      ? record.statement.slice(0, MAX_HISTORY_STATEMENT_CHARS)
      : record.statement;
  const writes: Bookkeeping[] = [
    db.insert(queryHistory).values({
      id: crypto.randomUUID(),
      orgId: record.auth.orgId,
      connectionId: record.connectionId,
      userId: record.auth.userId,
      startedAt: record.startedAt,
      statement,
      statementCount: record.statementCount,
      kind: record.kind,
      readOnly: record.readOnly,
      cached: record.cached ?? false,
      durationMs: Math.round(record.durationMs),
      rowCount: record.rowCount,
      outcome: record.outcome,
      errorCode: record.errorCode ?? null,
    }),
    auditInsert(env, {
      auth: record.auth,
      action: `query.${record.kind}`,
      target: `connection:${record.connectionId}`,
      outcome: AUDIT_OUTCOME[record.outcome],
      statement: record.statement,
      durationMs: record.durationMs,
      rows: record.rowCount,
      ip: record.ip ?? null,
      detail: {
        readOnly: record.readOnly,
        statements: record.statementCount,
        ...(record.cached ? { cached: true } : {}),
        ...(record.errorCode ? { code: record.errorCode } : {}),
      },
    }),
    ...extra,
  ];
  await writeTogether(env, writes, record.kind);
  // The dashboard's metrics and "last used" now differ: this isolate re-reads them at once.
  forgetDashboard(record.auth.orgId);
}

/**
 * One D1 round trip for all of `writes`. A batch is one transaction, so one refused write would
 * roll back the rest (the audit entry, a slot release); then each is retried on its own.
 */
export async function writeTogether(
  env: Env,
  writes: readonly Bookkeeping[],
  kind: ExecutionKind,
): Promise<void> {
  const [first, ...rest] = writes;
  if (!first) return;
  try {
    await drizzle(env.DB).batch([first, ...rest]);
    return;
  } catch {
    // Falls through to the one-by-one retry below.
  }
  const results = await Promise.allSettled(writes.map((w) => Promise.resolve(w)));
  for (const r of results) {
    if (r.status === 'rejected') {
      console.error(JSON.stringify({ level: 'error', msg: 'query record failed', kind }));
    }
  }
}

export interface HistoryCursor {
  startedAt: number;
  id: string;
}

const encodeHistoryCursor = (c: HistoryCursor) => encodeCursor([c.startedAt, c.id]);

export function decodeHistoryCursor(value: string): HistoryCursor {
  const [startedAt, id] = decodeKeyCursor(value);
  return { startedAt, id };
}

/** Newest first; the cursor is the last row's (startedAt, id). */
export async function listHistory(
  env: Env,
  orgId: string,
  options: { connectionId?: string; userId?: string; cursor?: HistoryCursor; limit: number },
): Promise<{ items: QueryHistoryRow[]; nextCursor: string | null }> {
  const { cursor } = options;
  const rows = await drizzle(env.DB)
    .select()
    .from(queryHistory)
    .where(
      and(
        eq(queryHistory.orgId, orgId),
        options.connectionId ? eq(queryHistory.connectionId, options.connectionId) : undefined,
        options.userId ? eq(queryHistory.userId, options.userId) : undefined,
        cursor
          ? or(
              lt(queryHistory.startedAt, cursor.startedAt),
              and(eq(queryHistory.startedAt, cursor.startedAt), lt(queryHistory.id, cursor.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(queryHistory.startedAt), desc(queryHistory.id))
    .limit(options.limit + 1);
  const items = rows.slice(0, options.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > options.limit && last ? encodeHistoryCursor(last) : null,
  };
}
