/** SQLite objects a snapshot leaves out: triggers, as stored in sqlite_schema. */
import { records, str } from '../catalog-rows.ts';
import type { Engine } from '../engine.ts';
import type { SchemaObjects } from '../schema-model.ts';

export const SQLITE_OBJECT_QUERIES = {
  triggers: `select name, sql from sqlite_master where type = 'trigger' and sql is not null order by rowid`,
} as const;

export async function readSqliteObjects(engine: Engine): Promise<SchemaObjects> {
  const triggers = records(await engine.query(SQLITE_OBJECT_QUERIES.triggers, { readOnly: true }));
  return {
    extensions: [],
    objects: triggers.map((r) => ({
      schema: 'main',
      name: str(r.name),
      kind: 'trigger' as const,
      definition: str(r.sql).trim().replace(/;$/, ''),
      afterTables: true,
    })),
  };
}
