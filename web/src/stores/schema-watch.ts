import { createEffect, createSignal, on, onCleanup } from 'solid-js';
import { schemaApi } from '../api/schema.ts';

/** How often a visible page asks whether the schema moved. */
export const SCHEMA_POLL_MS = 30_000;

/**
 * Notices syncs this page did not start that changed the schema, for pages outside a
 * document room (rooms get a pushed `schema-changed` instead). Polling, because a page
 * socket per connection would cost a Durable Object per browsing user for an event that
 * happens a few times a day; the head read is one small D1 query.
 *
 * Every sync moves the head, changed or not, so a moved head is checked against the
 * newest history entry: only a head that a recorded change produced counts. Polls run
 * while the tab is visible, and once more when it becomes visible again.
 */
export function createSchemaWatch(connectionId: () => string | undefined) {
  const [changed, setChanged] = createSignal(false);
  let known: string | null = null;
  let polling = false;

  async function poll(id: string) {
    if (polling || document.visibilityState !== 'visible') return;
    polling = true;
    try {
      const head = await schemaApi.headId(id);
      if (id !== connectionId()) return;
      if (known === null) {
        known = head;
        return;
      }
      if (head === known) return;
      const target = await schemaApi.latestChangeTarget(id);
      // `seen` may have claimed this head meanwhile (the page's own sync finished).
      if (id !== connectionId() || head === known) return;
      known = head;
      if (target === head) setChanged(true);
    } catch {
      // Offline, or the connection was deleted: the page's own requests report that.
    } finally {
      polling = false;
    }
  }

  createEffect(
    on(connectionId, (id) => {
      known = null;
      setChanged(false);
      if (!id) return;
      void poll(id);
      const timer = setInterval(() => void poll(id), SCHEMA_POLL_MS);
      const onVisible = () => void poll(id);
      document.addEventListener('visibilitychange', onVisible);
      onCleanup(() => {
        clearInterval(timer);
        document.removeEventListener('visibilitychange', onVisible);
      });
    }),
  );

  return {
    /** A sync this page did not start changed the schema since the page last loaded it. */
    changed,
    /** This page synced (or reloaded) and now shows `snapshotId`: nothing to announce. */
    seen(snapshotId: string | null) {
      if (snapshotId) known = snapshotId;
      setChanged(false);
    },
  };
}
