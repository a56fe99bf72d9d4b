/**
 * Hands SQL to the query page's editor from elsewhere (the command palette opening a saved query).
 * The draft key is what the editor reads when it mounts; the event reaches an editor that is
 * already on screen, which reads its draft only once.
 */
export const QUERY_DRAFT_KEY = 'atrium.query.draft';
const EVENT = 'atrium:open-sql';

export function openSqlInEditor(sql: string) {
  localStorage.setItem(QUERY_DRAFT_KEY, sql);
  window.dispatchEvent(new CustomEvent<string>(EVENT, { detail: sql }));
}

/** Calls `handler` with SQL sent by `openSqlInEditor`; returns the unsubscribe function. */
export function onOpenSql(handler: (sql: string) => void): () => void {
  const listener = (e: Event) => handler((e as CustomEvent<string>).detail);
  window.addEventListener(EVENT, listener);
  return () => window.removeEventListener(EVENT, listener);
}
