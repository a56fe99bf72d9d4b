/** The caller's scope and the organization-scoped reads every connection job starts from. */
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { AuthContext } from '../auth/context.ts';
import type { Env } from '../env.ts';
import { notFound } from '../errors.ts';
import { builtinConnectionState, type ConnectionRow, connections } from '../meta/connections.ts';

/** The caller, already authorized by the route: every read and write is scoped to `orgId`. */
export interface Scope {
  auth: AuthContext;
  orgId: string;
  userId: string;
}

export const metaDb = (env: Env) => drizzle(env.DB);

export async function loadRow(env: Env, orgId: string, id: string): Promise<ConnectionRow> {
  const [row] = await metaDb(env)
    .select()
    .from(connections)
    .where(and(eq(connections.id, id), eq(connections.orgId, orgId)))
    .limit(1);
  // Another organization's connection is "not found", never "forbidden": ids do not leak.
  if (!row) throw notFound('Connection');
  return row;
}

/** An organization's own status of a built-in (last test, last use), if it has any. */
export async function loadBuiltinState(env: Env, orgId: string, builtinId: string) {
  const [state] = await metaDb(env)
    .select()
    .from(builtinConnectionState)
    .where(and(eq(builtinConnectionState.orgId, orgId), eq(builtinConnectionState.builtinId, builtinId)))
    .limit(1);
  return state;
}
