import type { SQLNamespace } from '@codemirror/lang-sql';
import { createSignal } from 'solid-js';
import type {
  ColumnInfo,
  ForeignKeyInfo,
  IndexInfo,
  TableInfo,
} from '../../../worker/engines/schema-model.ts';
import { api } from '../api/client.ts';
import { path } from '../lib/paths.ts';
import { createLoader } from './loader.ts';

export type { ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo };

const base = (connectionId: string) => path`/api/connections/${connectionId}`;

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
  kind: 'schema' | 'table' | 'column';
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

interface SnapshotMeta {
  syncedAt: string;
  tableCount: number;
}

interface RawTableSummary {
  schema: string;
  name: string;
  kind: string;
  rowEstimate: number | null;
  columnCount: number;
  primaryKey: string[] | null;
  foreignKeyCount: number;
  indexCount: number;
}

interface RawErd {
  nodes: { schema: string; name: string; kind: string; columns: ErdNode['columns'] }[];
  edges: { name: string | null; from: string; fromColumns: string[]; to: string; toColumns: string[] }[];
}

interface RawChange {
  id: string;
  createdAt: string;
  summary: Record<string, number>;
  diff: unknown;
}

/** "3 tables added, 1 column changed" from the diff summary counters. */
function describeSummary(summary: Record<string, number>): string {
  return (
    Object.entries(summary)
      .filter(([, n]) => n > 0)
      .map(([key, n]) => `${n} ${key.replace(/([A-Z])/g, ' $1').toLowerCase()}`)
      .join(', ') || 'no structural change'
  );
}

/** Splits `schema.table` ids at the last dot that leaves a known node (names may contain dots). */
function splitId(id: string, known: Map<string, { schema: string; name: string }>) {
  const hit = known.get(id);
  if (hit) return { schema: hit.schema, table: hit.name };
  const dot = id.indexOf('.');
  return { schema: id.slice(0, dot), table: id.slice(dot + 1) };
}

export const schemaApi = {
  async overview(id: string, cursor?: string): Promise<SchemaOverview> {
    const raw = await api.get<{ snapshot: SnapshotMeta; items: SchemaNode[]; nextCursor: string | null }>(
      `${base(id)}/schema`,
      { cursor, limit: 200 },
    );
    return { syncedAt: raw.snapshot.syncedAt, schemas: { items: raw.items, nextCursor: raw.nextCursor } };
  },
  async tables(id: string, schema: string, cursor?: string): Promise<Page<TableNode>> {
    const raw = await api.get<{ items: RawTableSummary[]; nextCursor: string | null }>(`${base(id)}/schema`, {
      schema,
      cursor,
      limit: 200,
    });
    return {
      items: raw.items.map((t) => ({ ...t, hasPrimaryKey: (t.primaryKey?.length ?? 0) > 0 })),
      nextCursor: raw.nextCursor,
    };
  },
  async table(id: string, schema: string, table: string): Promise<TableDetail> {
    const raw = await api.get<{
      table: TableInfo;
      referencedBy: (ForeignKeyInfo & { schema: string; table: string })[];
    }>(`${base(id)}${path`/schema/tables/${schema}/${table}`}`);
    return {
      ...raw.table,
      incomingForeignKeys: raw.referencedBy.map((fk) => ({
        ...fk,
        fromSchema: fk.schema,
        fromTable: fk.table,
      })),
    };
  },
  async search(id: string, q: string): Promise<{ items: SearchHit[] }> {
    const raw = await api.get<{ items: (Omit<SearchHit, 'kind'> & { type: SearchHit['kind'] })[] }>(
      `${base(id)}/schema/search`,
      { q, limit: 50 },
    );
    return { items: raw.items.map((h) => ({ ...h, kind: h.type })) };
  },
  async history(id: string): Promise<{ items: SchemaChange[] }> {
    const raw = await api.get<{ items: RawChange[] }>(`${base(id)}/schema/history`);
    return {
      items: raw.items.map((c) => ({
        id: c.id,
        syncedAt: c.createdAt,
        summary: describeSummary(c.summary),
        diff: c.diff,
      })),
    };
  },
  async erd(id: string, schema?: string): Promise<Erd> {
    const raw = await api.get<RawErd>(`${base(id)}/schema/erd`, { schema });
    const known = new Map(raw.nodes.map((n) => [`${n.schema}.${n.name}`, n]));
    return {
      nodes: raw.nodes,
      edges: raw.edges.map((e) => ({
        name: e.name,
        from: { ...splitId(e.from, known), columns: e.fromColumns },
        to: { ...splitId(e.to, known), columns: e.toColumns },
      })),
    };
  },
  sync: (id: string) =>
    api.post<{ snapshotId: string; syncedAt: number; tableCount: number; changed: boolean; totalMs: number }>(
      `${base(id)}/sync`,
    ),
  /** The head snapshot's id: cheap (one level, one row), and it moves with every sync. */
  async headId(id: string): Promise<string> {
    const raw = await api.get<{ snapshot: { id: string } }>(`${base(id)}/schema`, { limit: 1 });
    return raw.snapshot.id;
  },
  /** The snapshot the newest recorded change led to (null when nothing ever changed). */
  async latestChangeTarget(id: string): Promise<string | null> {
    const raw = await api.get<{ items: { toSnapshotId: string }[] }>(`${base(id)}/schema/history`, {
      limit: 1,
    });
    return raw.items[0]?.toSnapshotId ?? null;
  },
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
