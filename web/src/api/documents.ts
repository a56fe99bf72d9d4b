import type { documents as documentRoutes } from '../../../worker/routes/documents.ts';
import { path } from '../lib/paths.ts';
import { api } from './client.ts';
import type { JsonInput, SuccessBody } from './server-types.ts';

export type DocumentPage = SuccessBody<typeof documentRoutes, '/api/documents', '$get'>;
/** A document as lists show it; single reads add the stored `content`. */
export type DocumentSummary = DocumentPage['documents'][number];
export type DocumentDetail = SuccessBody<typeof documentRoutes, '/api/documents/:documentId', '$get'>;
export type NewDocument = JsonInput<typeof documentRoutes, '/api/documents', '$post'>;
export type DocumentPatch = JsonInput<typeof documentRoutes, '/api/documents/:documentId', '$patch'>;

const one = (id: string) => path`/api/documents/${id}`;

export const documentsApi = {
  list: (q?: string, cursor?: string) => api.get<DocumentPage>('/api/documents', { q, cursor, limit: 50 }),
  get: (id: string) => api.get<DocumentDetail>(one(id)),
  create: (input: NewDocument) => api.post<DocumentSummary>('/api/documents', input),
  update: (id: string, input: DocumentPatch) => api.patch<DocumentSummary>(one(id), input),
  remove: (id: string) => api.delete<unknown>(one(id)),
};
