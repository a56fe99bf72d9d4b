import { and, eq } from 'drizzle-orm';
import type { Env } from '../env.ts';
import { connections } from '../meta/connections.ts';
import { documents } from '../meta/documents.ts';
import { dropConnectionSchemaQueries } from '../schema/snapshot-drop.ts';
import type { connectionAudit } from './audit.ts';
import { forgetConnection } from './connection-cache.ts';
import { metaDb as db, type Scope } from './scope.ts';

/**
 * One transaction: the row, its synced schema, the documents' link to it (a plain column, not a
 * foreign key, since documents may also name built-in connections) and `audit`, the entry that
 * says why; then this isolate's caches forget it. Saved and hosted connections both end here.
 */
export async function removeConnection(
  env: Env,
  scope: Scope,
  id: string,
  audit: ReturnType<typeof connectionAudit>,
): Promise<void> {
  const d1 = db(env);
  await d1.batch([
    d1.delete(connections).where(and(eq(connections.id, id), eq(connections.orgId, scope.orgId))),
    d1
      .update(documents)
      .set({ connectionId: null })
      .where(and(eq(documents.organizationId, scope.orgId), eq(documents.connectionId, id))),
    ...dropConnectionSchemaQueries(d1, scope.orgId, id),
    audit,
  ]);
  forgetConnection(scope.orgId, id);
}
