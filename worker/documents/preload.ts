/**
 * A document's row read in the same D1 round trip as the caller's auth (issue 17, lib/preload.ts),
 * for the two requests that open a document: `GET /api/documents/:id` and the room join
 * (`/parties/document/:id`). The row is kept for this request only (never across requests: a
 * deleted or moved document must not be served from memory), under the organization the auth
 * read resolved; `loadDocument` is the fallback whenever it is absent.
 */
import { and, eq } from 'drizzle-orm';
import type { Env } from '../env.ts';
import { notFound } from '../errors.ts';
import type { MetaDb, OrgRef, Preload } from '../lib/preload.ts';
import { type DocumentRow, documents } from '../meta/documents.ts';
import { loadDocument } from './service.ts';

const OPEN_PATHS = [/^\/api\/documents\/([^/]+)$/, /^\/parties\/document\/([^/]+)$/];

/** The document a GET request opens, if it is one of those two. */
export function documentOfRequest(method: string, path: string): string | undefined {
  if (method !== 'GET') return undefined;
  for (const pattern of OPEN_PATHS) {
    const raw = pattern.exec(path)?.[1];
    if (raw === undefined) continue;
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Rows read for a request, by the request object (gone with it). */
const read = new WeakMap<Request, { orgId: string; id: string; row: DocumentRow | undefined }>();

export function documentPreload(request: Request, id: string): Preload {
  return {
    queries: (db: MetaDb, org: OrgRef) => [
      db
        .select()
        .from(documents)
        .where(and(eq(documents.id, id), eq(documents.organizationId, org)))
        .limit(1),
    ],
    async prime(_env, results, orgId) {
      const [rows] = results as [DocumentRow[]];
      read.set(request, { orgId, id, row: rows[0] });
    },
  };
}

/**
 * Document `id` of `orgId` (404 when it is not there), from this request's preload when it read
 * that very row, else from D1.
 */
export async function openDocument(
  env: Env,
  request: Request,
  orgId: string,
  id: string,
): Promise<DocumentRow> {
  const hit = read.get(request);
  if (!hit || hit.orgId !== orgId || hit.id !== id) return loadDocument(env, orgId, id);
  // Another organization's document is "not found", never "forbidden": ids do not leak.
  if (!hit.row) throw notFound('Document');
  return hit.row;
}
