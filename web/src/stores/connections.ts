import { createResource } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import { connections as api } from '../api/connections.ts';
import { dashboard as dashboardApi } from '../api/dashboard.ts';
import type { Connection, ConnectionInput, ConnectionTestResult, ConnectionUpdate } from '../api/types.ts';

/**
 * The organization's connections, kept in one store. Edits that the UI can
 * predict (active toggle, delete) apply at once and roll back if the server refuses.
 * `orgKey` re-fetches the list when the active organization changes.
 */
export function createConnections(orgKey: () => string | null | undefined) {
  const [state, setState] = createStore<{ list: Connection[] }>({ list: [] });
  const [loaded, { refetch }] = createResource(orgKey, async (org, info) => {
    // An organization's first load shares the dashboard's one call (issue 17: first screen).
    const { connections } = info.refetching ? await api.list() : await dashboardApi.shared(org);
    setState('list', reconcile(connections, { key: 'id' }));
    return true;
  });

  const indexOf = (id: string) => state.list.findIndex((c) => c.id === id);
  const snapshot = () => state.list.map((c) => ({ ...c }));

  /** Applies `change` now; restores the previous list and rethrows if `request` fails. */
  async function optimistic<T>(change: () => void, request: () => Promise<T>): Promise<T> {
    const before = snapshot();
    change();
    try {
      return await request();
    } catch (err) {
      setState('list', reconcile(before, { key: 'id' }));
      throw err;
    }
  }

  const upsert = (c: Connection) =>
    setState(
      produce((s) => {
        const i = s.list.findIndex((x) => x.id === c.id);
        if (i === -1) s.list.push(c);
        else s.list[i] = c;
      }),
    );

  return {
    get list() {
      return state.list;
    },
    loading: () => loaded.loading,
    error: () => loaded.error as unknown,
    byId: (id: string) => state.list.find((c) => c.id === id),
    refetch,
    /** Takes a list read elsewhere (the dashboard's call) as the current one. */
    replace: (list: Connection[]) => setState('list', reconcile(list, { key: 'id' })),
    async create(input: ConnectionInput) {
      const created = await api.create(input);
      upsert(created);
      return created;
    },
    async update(id: string, input: ConnectionUpdate) {
      const updated = await api.update(id, input);
      upsert(updated);
      return updated;
    },
    setActive: (id: string, active: boolean) =>
      optimistic(
        () => setState('list', indexOf(id), 'active', active),
        () => api.update(id, { active }),
      ),
    remove: (id: string) =>
      optimistic(
        () => setState('list', (list) => list.filter((c) => c.id !== id)),
        () => api.remove(id),
      ),
    /** Tests a saved connection; the server stores the result as its status, which is re-read from it. */
    async test(id: string): Promise<ConnectionTestResult> {
      const result = await api.test(id);
      upsert(await api.get(id));
      return result;
    },
  };
}

export type Connections = ReturnType<typeof createConnections>;
