import { api } from '../api/client.ts';
import { path } from '../lib/paths.ts';

export interface DocumentSummary {
  id: string;
  title: string;
  connectionId: string | null;
  ownerId?: string;
  ownerName?: string | null;
  createdAt: string | number;
  updatedAt: string | number;
}

export interface DocumentList {
  documents: DocumentSummary[];
  nextCursor: string | null;
}

const one = (id: string) => path`/api/documents/${id}`;

export const documentsApi = {
  list: (q?: string, cursor?: string) => api.get<DocumentList>('/api/documents', { q, cursor, limit: 50 }),
  get: (id: string) => api.get<DocumentSummary>(one(id)),
  create: (input: { title: string; connectionId?: string | null }) =>
    api.post<DocumentSummary>('/api/documents', input),
  update: (id: string, input: { title?: string; connectionId?: string | null }) =>
    api.patch<DocumentSummary>(one(id), input),
  remove: (id: string) => api.delete<unknown>(one(id)),
};
