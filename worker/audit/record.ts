import { drizzle } from 'drizzle-orm/d1';
import type { AuthContext } from '../auth/context.ts';
import type { Env } from '../env.ts';
import { auditLog } from '../meta/audit.ts';

/** Longer statements are cut here (with a marker) so one huge import cannot bloat the log. */
export const MAX_STATEMENT_CHARS = 4000;

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditEntry {
  /** Who: the caller's AuthContext (fills actor, email, via, token and org), or explicit ids. */
  auth?: AuthContext | undefined;
  actorId?: string | null;
  actorEmail?: string | null;
  /** The organization the event belongs to; defaults to `auth.orgId`. */
  orgId?: string | null;
  /** Dotted verb, e.g. `auth.sign_in`, `token.create`, `connection.update`, `query.execute`. */
  action: string;
  /** What was acted on, e.g. `connection:<id>`. */
  target?: string | null;
  outcome: AuditOutcome;
  /** SQL text only — never bound parameter values, passwords or tokens. Capped at MAX_STATEMENT_CHARS. */
  statement?: string | null;
  durationMs?: number | null;
  rows?: number | null;
  ip?: string | null;
  /** Small facts (`{ role: 'admin' }`, `{ code: 'timeout' }`); never secrets. */
  detail?: Record<string, unknown> | null;
}

/**
 * Appends one entry to the audit log. Resolves once it is stored and rejects if
 * D1 refuses, so callers decide whether an unaudited action may proceed; wrap it
 * in `c.executionCtx.waitUntil` to keep it off the response path.
 */
export async function recordAudit(env: Env, entry: AuditEntry): Promise<void> {
  await auditInsert(env, entry);
}

/**
 * The audit insert as an unexecuted query, for `db.batch([change, auditInsert(...)])`:
 * a change and its audit entry then commit together or not at all.
 */
export function auditInsert(env: Env, entry: AuditEntry) {
  const statement =
    entry.statement && entry.statement.length > MAX_STATEMENT_CHARS
      ? `${entry.statement.slice(0, MAX_STATEMENT_CHARS)}… [truncated ${entry.statement.length - MAX_STATEMENT_CHARS} chars]`
      : (entry.statement ?? null);
  return drizzle(env.DB)
    .insert(auditLog)
    .values({
      organizationId: entry.orgId !== undefined ? entry.orgId : (entry.auth?.orgId ?? null),
      actorId: entry.actorId ?? entry.auth?.userId ?? null,
      actorEmail: entry.actorEmail ?? entry.auth?.email ?? null,
      via: entry.auth?.via ?? null,
      tokenId: entry.auth?.tokenId ?? null,
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome,
      statement,
      durationMs: entry.durationMs == null ? null : Math.round(entry.durationMs),
      rows: entry.rows ?? null,
      ip: entry.ip ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
    });
}
