import type { TableInfo } from '../../../worker/engines/schema-model.ts';
import type { schema as schemaRoutes } from '../../../worker/routes/schema.ts';
import { path } from '../lib/paths.ts';
import { api, request } from './client.ts';
import type { SuccessBody } from './server-types.ts';

/**
 * The synced schema of a connection. The routes answer in the snapshot's own terms (`type`,
 * `schema.table` edge ids, summary counters); these calls reshape them into what the tree,
 * the ERD and the history tab draw.
 */

type Routes = typeof schemaRoutes;
type Tree = SuccessBody<Routes, '/api/connections/:id/schema', '$get'>;
type RawDetail = SuccessBody<Routes, '/api/connections/:id/schema/tables/:schema/:table', '$get'>;
type RawSearch = SuccessBody<Routes, '/api/connections/:id/schema/search', '$get'>;
type RawHistory = SuccessBody<Routes, '/api/connections/:id/schema/history', '$get'>;
type RawErd = SuccessBody<Routes, '/api/connections/:id/schema/erd', '$get'>;
type RawObjects = SuccessBody<Routes, '/api/connections/:id/schema/objects', '$get'>;
/** A sequence, domain, partition, routine, trigger or event in the tree's own groups. */
export type ObjectNode = RawObjects['items'][number];
export type SyncResult = SuccessBody<Routes, '/api/connections/:id/sync', '$post'>;

export type SchemaNode = Extract<Tree, { level: 'schemas' }>['items'][number];
type RawTableSummary = Extract<Tree, { level: 'tables' }>['items'][number];
export type TableNode = RawTableSummary & { hasPrimaryKey: boolean };

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface SchemaOverview {
  /** ISO 8601. */
  syncedAt: string;
  schemas: Page<SchemaNode>;
}

/** A foreign key pointing at this table from another one. */
export type IncomingForeignKey = RawDetail['referencedBy'][number] & {
  fromSchema: string;
  fromTable: string;
};
export type TableDetail = RawDetail['table'] & { incomingForeignKeys: IncomingForeignKey[] };

export type SearchHit = Omit<RawSearch['items'][number], 'type'> & {
  kind: RawSearch['items'][number]['type'];
};

export interface SchemaChange {
  id: string;
  /** ISO 8601. */
  syncedAt: string;
  summary: string;
  diff: RawHistory['items'][number]['diff'];
}

export type ErdNode = RawErd['nodes'][number];
export interface ErdEdge {
  from: { schema: string; table: string; columns: string[] };
  to: { schema: string; table: string; columns: string[] };
  name: string | null;
}
export interface Erd {
  nodes: ErdNode[];
  edges: ErdEdge[];
}

/**
 * `?format=json` is a file download (`c.body`), so the route carries no JSON type to derive;
 * this is the part of the snapshot the editor's autocomplete reads.
 */
export interface SchemaExport {
  tables: Pick<TableInfo, 'schema' | 'name' | 'columns'>[];
}

const base = (connectionId: string) => path`/api/connections/${connectionId}`;

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
    const raw = await api.get<Extract<Tree, { level: 'schemas' }>>(`${base(id)}/schema`, {
      cursor,
      limit: 200,
    });
    return { syncedAt: raw.snapshot.syncedAt, schemas: { items: raw.items, nextCursor: raw.nextCursor } };
  },
  async tables(id: string, schema: string, cursor?: string): Promise<Page<TableNode>> {
    const raw = await api.get<Extract<Tree, { level: 'tables' }>>(`${base(id)}/schema`, {
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
    const raw = await api.get<RawDetail>(`${base(id)}${path`/schema/tables/${schema}/${table}`}`);
    return {
      ...raw.table,
      incomingForeignKeys: raw.referencedBy.map((fk) => ({
        ...fk,
        fromSchema: fk.schema,
        fromTable: fk.table,
      })),
    };
  },
  async objects(id: string, schema: string): Promise<ObjectNode[]> {
    return (await api.get<RawObjects>(`${base(id)}/schema/objects`, { schema })).items;
  },
  async search(id: string, q: string): Promise<{ items: SearchHit[] }> {
    const raw = await api.get<RawSearch>(`${base(id)}/schema/search`, { q, limit: 50 });
    return { items: raw.items.map(({ type, ...hit }) => ({ ...hit, kind: type })) };
  },
  async history(id: string): Promise<{ items: SchemaChange[] }> {
    const raw = await api.get<RawHistory>(`${base(id)}/schema/history`);
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
  /** Aborting `signal` only stops waiting: the Worker finishes the sync (it replaces the snapshot atomically). */
  sync: (id: string, signal?: AbortSignal) =>
    request<SyncResult>(`${base(id)}/sync`, { method: 'POST', body: {}, signal }),
  /** The head snapshot's id: cheap (one level, one row), and it moves with every sync. */
  async headId(id: string): Promise<string> {
    return (await api.get<Tree>(`${base(id)}/schema`, { limit: 1 })).snapshot.id;
  },
  /** The snapshot the newest recorded change led to (null when nothing ever changed). */
  async latestChangeTarget(id: string): Promise<string | null> {
    const raw = await api.get<RawHistory>(`${base(id)}/schema/history`, { limit: 1 });
    return raw.items[0]?.toSnapshotId ?? null;
  },
  /** Whole structure in one answer: what the editor's autocomplete needs. */
  exportJson: (id: string) => api.get<SchemaExport>(`${base(id)}/schema/export`, { format: 'json' }),
};
