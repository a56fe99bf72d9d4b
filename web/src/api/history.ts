import type { history as historyRoutes } from '../../../worker/routes/history.ts';
import { api } from './client.ts';
import type { SuccessBody } from './server-types.ts';

export type HistoryPage = SuccessBody<typeof historyRoutes, '/api/history', '$get'>;
export type HistoryEntry = HistoryPage['items'][number];

/** The newest executions, of one connection or of the whole organization. */
export async function fetchHistory(connectionId: string | undefined): Promise<HistoryEntry[]> {
  return (await api.get<HistoryPage>('/api/history', { connectionId, limit: 50 })).items;
}
