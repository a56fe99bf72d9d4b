import { createContext, type ParentProps, useContext } from 'solid-js';
import { createConnections } from './connections.ts';
import { createHealth } from './health.ts';
import { createSession } from './session.ts';
import { createTheme } from './theme.ts';
import { makeToasts } from './toasts.ts';

/** One store object behind one context (solid-realworld): slices share the session. */
function createAppStore() {
  const session = createSession();
  // Connections belong to the active organization; none is fetched without one.
  const connections = createConnections(() => session.me()?.activeOrg?.id ?? null);
  return {
    session,
    connections,
    health: createHealth(),
    theme: createTheme(),
    toasts: makeToasts(),
  };
}

export type AppStore = ReturnType<typeof createAppStore>;

const StoreContext = createContext<AppStore>();

export function StoreProvider(props: ParentProps) {
  const store = createAppStore();
  return <StoreContext.Provider value={store}>{props.children}</StoreContext.Provider>;
}

export function useStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore() outside <StoreProvider>');
  return store;
}
