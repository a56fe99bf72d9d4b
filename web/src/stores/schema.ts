import type { SQLNamespace } from '@codemirror/lang-sql';
import { createResource, createSignal } from 'solid-js';
import type {
  ColumnInfo,
  ForeignKeyInfo,
  IndexInfo,
  TableInfo,
} from '../../../worker/engines/introspection.ts';
import { api } from '../api/client.ts';

export type { ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo };

const base = (connectionId: string) => `/api/connections/${encodeURIComponent(connectionId)}`;
const enc = encodeURIComponent;

export interface SchemaNode {
  name: string;
  tableCount: number;
  viewCount: number;
}

export interface TableNode {
  schema: string;
  name: string;
  kind: string;
  rowEstimate: number | null;
  columnCount: number;
  hasPrimaryKey: boolean;
  foreignKeyCount: number;
  indexCount: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface SchemaOverview {
  syncedAt: string | number | null;
  schemas: Page<SchemaNode>;
}

/** A foreign key pointing at this table from another one. */
export interface IncomingForeignKey extends ForeignKeyInfo {
  fromSchema: string;
  fromTable: string;
}

export type TableDetail = TableInfo & { incomingForeignKeys: IncomingForeignKey[] };

export interface SearchHit {
  kind: 'schema' | 'table' | 'view' | 'column';
  schema: string;
  table: string | null;
  column: string | null;
}

export interface SchemaChange {
  id: string | number;
  syncedAt: string | number;
  summary?: string;
  diff: unknown;
}

export interface ErdNode {
  schema: string;
  name: string;
  kind?: string;
  columns: { name: string; type: string; pk: boolean; fk: boolean }[];
}

export interface ErdEdge {
  from: { schema: string; table: string; columns: string[] };
  to: { schema: string; table: string; columns: string[] };
  name: string | null;
}

export interface Erd {
  nodes: ErdNode[];
  edges: ErdEdge[];
}

export const schemaApi = {
  overview: (id: string, cursor?: string) =>
    api.get<SchemaOverview>(`${base(id)}/schema`, { cursor, limit: 200 }),
  tables: (id: string, schema: string, cursor?: string) =>
    api.get<Page<TableNode>>(`${base(id)}/schema`, { schema, cursor, limit: 200 }),
  table: (id: string, schema: string, table: string) =>
    api.get<TableDetail>(`${base(id)}/schema/tables/${enc(schema)}/${enc(table)}`),
  search: (id: string, q: string) =>
    api.get<{ items: SearchHit[] }>(`${base(id)}/schema/search`, { q, limit: 50 }),
  history: (id: string) => api.get<{ items: SchemaChange[] }>(`${base(id)}/schema/history`),
  erd: (id: string, schema?: string) => api.get<Erd>(`${base(id)}/schema/erd`, { schema }),
  sync: (id: string) =>
    api.post<{ syncedAt: string | number; tables: number; changed: boolean; durationMs?: number }>(
      `${base(id)}/sync`,
    ),
  /** Whole structure in one answer: what the editor's autocomplete needs. */
  exportJson: (id: string) =>
    api.get<{ tables: Pick<TableInfo, 'schema' | 'name' | 'columns'>[] }>(`${base(id)}/schema/export`, {
      format: 'json',
    }),
};

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
  const [data] = createResource(
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
    for (const t of data()?.tables ?? []) {
      out[t.schema] ??= {};
      out[t.schema]![t.name] = t.columns.map((c) => c.name);
    }
    return out;
  };
  return {
    namespace,
    defaultSchema: () => defaultSchemaOf(Object.keys(namespace() as object)),
    tableCount: () => data()?.tables.length ?? 0,
    refresh: () => setVersion((v) => v + 1),
  };
}
