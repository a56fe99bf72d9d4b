import * as Y from 'yjs';
import { DOC_ROOTS, type DocumentBlockFields } from './protocol.ts';

/** A document's content as plain data (REST responses, tests, exports). */
export interface DocumentContent {
  sql: string;
  blocks: Array<DocumentBlockFields & { text: string }>;
}

/** Reads the shared roots of a room's Y.Doc into plain data; unknown block shapes are skipped. */
export function readContent(doc: Y.Doc): DocumentContent {
  const blocks: DocumentContent['blocks'] = [];
  for (const item of doc.getArray<Y.Map<unknown>>(DOC_ROOTS.blocks).toArray()) {
    if (!(item instanceof Y.Map)) continue;
    const id = item.get('id');
    const kind = item.get('kind');
    const name = item.get('name');
    const text = item.get('text');
    if (typeof id !== 'string' || (kind !== 'query' && kind !== 'note')) continue;
    blocks.push({
      id,
      kind,
      name: typeof name === 'string' ? name : '',
      text: text instanceof Y.Text ? text.toString() : '',
    });
  }
  return { sql: doc.getText(DOC_ROOTS.sql).toString(), blocks };
}

/** The content of a Y.Doc that `fill` loads (the doc is thrown away after). */
export function contentOf(fill: (doc: Y.Doc) => void): DocumentContent {
  const doc = new Y.Doc();
  fill(doc);
  const content = readContent(doc);
  doc.destroy();
  return content;
}

/** The Yjs update that gives a new document its initial SQL text. */
export function initialUpdate(sql: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText(DOC_ROOTS.sql).insert(0, sql);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}
