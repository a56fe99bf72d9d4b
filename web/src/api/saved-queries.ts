import type { savedQueries as savedQueryRoutes } from '../../../worker/routes/saved-queries.ts';
import { path } from '../lib/paths.ts';
import { api } from './client.ts';
import type { JsonInput, SuccessBody } from './server-types.ts';

export type SavedQuery = SuccessBody<typeof savedQueryRoutes, '/api/saved-queries/:id', '$get'>;
export type NewSavedQuery = JsonInput<typeof savedQueryRoutes, '/api/saved-queries', '$post'>;
type SavedQueryList = SuccessBody<typeof savedQueryRoutes, '/api/saved-queries', '$get'>;

export async function fetchSavedQueries(connectionId: string | undefined): Promise<SavedQuery[]> {
  return (await api.get<SavedQueryList>('/api/saved-queries', { connectionId })).items;
}

export const saveQuery = (input: NewSavedQuery) => api.post<SavedQuery>('/api/saved-queries', input);

export const deleteSavedQuery = (id: string) => api.delete<unknown>(path`/api/saved-queries/${id}`);
