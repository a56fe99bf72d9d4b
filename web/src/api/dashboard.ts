import type { dashboardRoutes } from '../../../worker/routes/dashboard.ts';
import { api } from './client.ts';
import type { SuccessBody } from './server-types.ts';

export type Dashboard = SuccessBody<typeof dashboardRoutes, '/api/dashboard', '$get'>;

let pending: { org: string; answer: Promise<Dashboard> } | null = null;

/**
 * GET /api/dashboard: the organization's connections and the recently used ones' metrics in
 * one call, so the first screen needs /api/me and this only (issue 17). The connections store's
 * first load and the dashboard page both ask through `shared` as soon as the session is known:
 * a request still in flight for the same organization is joined instead of sent again. Once it
 * has answered, the next asker sends a new one, so a page never shows an answer from before
 * what the user did since.
 */
export const dashboard = {
  get: () => api.get<Dashboard>('/api/dashboard'),
  shared(org: string): Promise<Dashboard> {
    if (pending?.org === org) return pending.answer;
    const answer = dashboard.get();
    const entry = { org, answer };
    pending = entry;
    const settled = () => {
      if (pending === entry) pending = null;
    };
    answer.then(settled, settled);
    return answer;
  },
};
