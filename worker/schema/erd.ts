/**
 * ER-diagram data: tables as nodes with their columns and PK/FK markers, foreign keys
 * as edges. Layout is the client's job; this is only the graph.
 */
import type { RelationKind, SchemaSnapshot } from '../engines/schema-model.ts';

export interface ErdNode {
  /** `schema.table`, unique in the graph. */
  id: string;
  schema: string;
  name: string;
  kind: RelationKind;
  rowEstimate: number | null;
  columns: { name: string; type: string; nullable: boolean; pk: boolean; fk: boolean }[];
}

export interface ErdEdge {
  id: string;
  name: string | null;
  from: string;
  fromColumns: string[];
  to: string;
  toColumns: string[];
  onUpdate: string;
  onDelete: string;
}

export interface Erd {
  nodes: ErdNode[];
  edges: ErdEdge[];
}

const nodeId = (schema: string, name: string) => `${schema}.${name}`;

/** The graph of `schema` (every schema when null); edges to tables outside it keep their target id. */
export function toErd(snapshot: SchemaSnapshot, schema: string | null): Erd {
  const tables = snapshot.tables.filter((t) => schema === null || t.schema === schema);
  const nodes = tables.map((t): ErdNode => {
    const pk = new Set(t.primaryKey?.columns ?? []);
    const fk = new Set(t.foreignKeys.flatMap((f) => f.columns));
    return {
      id: nodeId(t.schema, t.name),
      schema: t.schema,
      name: t.name,
      kind: t.kind,
      rowEstimate: t.rowEstimate,
      columns: t.columns.map((c) => ({
        name: c.name,
        type: c.dataType,
        nullable: c.nullable,
        pk: pk.has(c.name),
        fk: fk.has(c.name),
      })),
    };
  });
  const edges = tables.flatMap((t) =>
    t.foreignKeys.map(
      (fk, i): ErdEdge => ({
        id: `${nodeId(t.schema, t.name)}#${fk.name ?? i}`,
        name: fk.name,
        from: nodeId(t.schema, t.name),
        fromColumns: fk.columns,
        to: nodeId(fk.refSchema, fk.refTable),
        toColumns: fk.refColumns,
        onUpdate: fk.onUpdate,
        onDelete: fk.onDelete,
      }),
    ),
  );
  return { nodes, edges };
}
