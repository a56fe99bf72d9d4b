import type { SQLNamespace } from '@codemirror/lang-sql';
import { createSignal } from 'solid-js';
import { schemaApi } from '../api/schema.ts';
import { createLoader } from './loader.ts';

/** The default namespace per engine: what an unqualified table name resolves to. */
function defaultSchemaOf(schemas: string[]): string | undefined {
  if (schemas.includes('public')) return 'public';
  if (schemas.includes('main')) return 'main';
  return schemas.length === 1 ? schemas[0] : undefined;
}

/**
 * The synced schema as lang-sql's completion namespace: `{ schema: { table: [columns] } }`.
 * Re-read whenever the connection changes or `refresh()` is called after a sync.
 */
export function createCompletionSchema(connectionId: () => string | undefined) {
  const [version, setVersion] = createSignal(0);
  const data = createLoader(
    () => {
      const id = connectionId();
      return id ? { id, v: version() } : undefined;
    },
    async ({ id }) => {
      try {
        return await schemaApi.exportJson(id);
      } catch {
        // Not synced yet (or no access to schema): the editor still completes keywords.
        return { tables: [] };
      }
    },
  );
  const namespace = (): SQLNamespace => {
    const out: Record<string, Record<string, string[]>> = {};
    for (const t of data.value()?.tables ?? []) {
      out[t.schema] ??= {};
      out[t.schema]![t.name] = t.columns.map((c) => c.name);
    }
    return out;
  };
  return {
    namespace,
    defaultSchema: () => defaultSchemaOf(Object.keys(namespace() as object)),
    tableCount: () => data.value()?.tables.length ?? 0,
    refresh: () => setVersion((v) => v + 1),
  };
}
