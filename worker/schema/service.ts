/**
 * What the schema routes share: authorize, find the caller's copy of a connection's
 * schema, and (re)sync it when there is none yet or a DDL statement made it stale.
 */
import type { Context } from 'hono';
import { recordAudit } from '../audit/record.ts';
import { authorize } from '../auth/policy.ts';
import { getConnection } from '../connections/crud.ts';
import { withEngine } from '../connections/open-engine.ts';
import { EngineError } from '../engines/engine.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { serviceContext } from '../lib/after-response.ts';
import { cachedHead, forgetConnection } from './cache.ts';
import { type Head, readHead } from './head.ts';
import { type SyncResult, syncSchema } from './sync.ts';

export interface SchemaScope {
  orgId: string;
  connectionId: string;
  connectionName: string;
  head: Head;
  /** True when a refresh was due but the database could not be reached: the last snapshot is served. */
  stale: boolean;
}

/** POST .../sync: needs `schema.sync`; audited as `schema.sync` either way. */
export async function syncConnection(c: Context<AppEnv>, connectionId: string): Promise<SyncResult> {
  const auth = authorize(c.get('auth'), 'schema.sync');
  const started = Date.now();
  const audit = (outcome: 'success' | 'failure', detail: Record<string, unknown>) =>
    recordAudit(c.env, {
      auth,
      action: 'schema.sync',
      target: `connection:${connectionId}`,
      outcome,
      durationMs: Date.now() - started,
      detail,
    });
  try {
    const ctx = serviceContext(c);
    const result = await withEngine(ctx, auth, connectionId, (engine) =>
      syncSchema(ctx, { orgId: auth.orgId, connectionId }, engine),
    );
    await audit('success', { tables: result.tableCount, changed: result.changed });
    return result;
  } catch (err) {
    const code = err instanceof ApiError || err instanceof EngineError ? err.code : 'internal_error';
    // The sync's own failure is the answer; an audit write failing as well must not replace it.
    await audit('failure', { code }).catch(() => undefined);
    throw err;
  }
}

/**
 * The head snapshot for a read (`schema.read`). A connection never synced, or marked
 * stale by `invalidateSchema`, is synced first; if that fails and an older snapshot
 * exists, the older one is served with `stale: true` (browsing works while the
 * database sleeps), otherwise the failure is the answer.
 */
export async function openSchema(c: Context<AppEnv>, connectionId: string): Promise<SchemaScope> {
  const auth = authorize(c.get('auth'), 'schema.read');
  const ctx = serviceContext(c);
  const { connectionName, head } = await cachedHead(
    auth.orgId,
    connectionId,
    async () => {
      const [connection, row] = await Promise.all([
        getConnection(ctx, { auth, orgId: auth.orgId, userId: auth.userId }, connectionId),
        readHead(c.env.DB, auth.orgId, connectionId),
      ]);
      return { connectionName: connection.name, head: row };
    },
    ctx.waitUntil,
  );
  const base = { orgId: auth.orgId, connectionId, connectionName };
  if (head && head.staleAt === null) return { ...base, head, stale: false };
  // Missing or stale: the copy in memory must not outlive this refresh, whatever its outcome.
  forgetConnection(auth.orgId, connectionId);
  try {
    await withEngine(ctx, auth, connectionId, (engine) =>
      syncSchema(ctx, { orgId: auth.orgId, connectionId }, engine),
    );
  } catch (err) {
    if (!head) throw err;
    console.error(
      JSON.stringify({ level: 'warn', event: 'schema.refresh_failed', connectionId, error: String(err) }),
    );
    return { ...base, head, stale: true };
  }
  const fresh = await readHead(c.env.DB, auth.orgId, connectionId);
  if (!fresh) throw new Error('schema head missing right after a sync');
  return { ...base, head: fresh, stale: false };
}
