import type { Erd, ErdNode } from '../api/schema.ts';

export const NODE_WIDTH = 220;
export const HEADER_HEIGHT = 24;
export const LINE_HEIGHT = 17;
export const MAX_LINES = 12;
const GAP_X = 90;
const GAP_Y = 26;

export interface PlacedNode {
  node: ErdNode;
  key: string;
  x: number;
  y: number;
  height: number;
}

export const nodeKey = (schema: string, name: string) => `${schema}.${name}`;
export const nodeHeight = (n: ErdNode) =>
  HEADER_HEIGHT + LINE_HEIGHT * Math.min(n.columns.length, MAX_LINES + 1) + 6;

/**
 * Layered layout: referenced tables (dimensions) to the left, the tables that
 * point at them to the right. A table's layer is one more than the deepest table
 * it references; cycles are cut by capping the relaxation rounds.
 */
export function layoutErd(erd: Erd): { nodes: PlacedNode[]; width: number; height: number } {
  const layer = new Map<string, number>();
  for (const n of erd.nodes) layer.set(nodeKey(n.schema, n.name), 0);
  const edges = erd.edges
    .map((e) => [nodeKey(e.from.schema, e.from.table), nodeKey(e.to.schema, e.to.table)] as const)
    .filter(([a, b]) => a !== b && layer.has(a) && layer.has(b));
  for (let round = 0; round < Math.min(erd.nodes.length, 24); round++) {
    let changed = false;
    for (const [from, to] of edges) {
      const want = (layer.get(to) ?? 0) + 1;
      if ((layer.get(from) ?? 0) < want) {
        layer.set(from, want);
        changed = true;
      }
    }
    if (!changed) break;
  }
  // Wide schemas: fold very tall columns into several so the diagram stays roughly square.
  const columns = new Map<number, ErdNode[]>();
  for (const n of erd.nodes) {
    const l = layer.get(nodeKey(n.schema, n.name)) ?? 0;
    columns.set(l, [...(columns.get(l) ?? []), n]);
  }
  const perColumn = Math.max(6, Math.ceil(Math.sqrt(erd.nodes.length) * 1.5));
  const placed: PlacedNode[] = [];
  let x = 0;
  let maxY = 0;
  for (const l of [...columns.keys()].sort((a, b) => a - b)) {
    const list = (columns.get(l) ?? []).sort((a, b) => a.name.localeCompare(b.name));
    for (let start = 0; start < list.length; start += perColumn) {
      let y = 0;
      for (const node of list.slice(start, start + perColumn)) {
        const height = nodeHeight(node);
        placed.push({ node, key: nodeKey(node.schema, node.name), x, y, height });
        y += height + GAP_Y;
      }
      maxY = Math.max(maxY, y);
      x += NODE_WIDTH + GAP_X;
    }
  }
  return { nodes: placed, width: Math.max(x - GAP_X, NODE_WIDTH), height: Math.max(maxY - GAP_Y, 100) };
}
