/**
 * GET …/schema/export?format=ddl: the stored snapshot plus what only the live database
 * holds (extensions, types, routines, triggers, events). The live part is read on every
 * export rather than cached with the snapshot: a new function changes no table, so it
 * would not move the snapshot head that keys the cache.
 */
import type { Context } from 'hono';
import { authorize } from '../auth/policy.ts';
import { withEngine } from '../connections/open-engine.ts';
import type { SchemaObjects, SchemaSnapshot } from '../engines/schema-model.ts';
import type { AppEnv } from '../env.ts';
import { toDdl } from './ddl.ts';
import type { DdlOptions } from './ddl-objects.ts';

export async function exportDdl(
  c: Context<AppEnv>,
  connectionId: string,
  snapshot: SchemaSnapshot,
  options: DdlOptions = {},
): Promise<string> {
  return toDdl(snapshot, await liveObjects(c, connectionId), options);
}

/** Null when the database cannot be reached: the export still has the snapshot, and says what it lacks. */
async function liveObjects(c: Context<AppEnv>, connectionId: string): Promise<SchemaObjects | null> {
  const auth = authorize(c.get('auth'), 'schema.read');
  try {
    return await withEngine({ env: c.env }, auth, connectionId, (engine) => engine.schemaObjects());
  } catch (err) {
    console.error(
      JSON.stringify({
        level: 'warn',
        event: 'schema.export_objects_failed',
        connectionId,
        error: String(err),
      }),
    );
    return null;
  }
}
