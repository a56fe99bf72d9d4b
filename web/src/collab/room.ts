import { createSignal, onCleanup } from 'solid-js';
import YProvider from 'y-partyserver/provider';
import * as Y from 'yjs';
import {
  type ClientMessage,
  DOC_ROOTS,
  encodeMessage,
  type RoomRole,
  type RunEvent,
  type RunFinished,
  type SchemaChanged,
  type ServerMessage,
  TERMINAL_CLOSE_CODES,
} from '../../../durable-objects/protocol.ts';
import { colorFor, type PresenceUser } from './presence.ts';

export type RoomStatus = 'connecting' | 'connected' | 'disconnected' | 'closed';

/** How long a run waits for the room to grant it before it runs unshared. */
const GRANT_TIMEOUT_MS = 5_000;

/**
 * One document room: the Y.Doc, the provider (partysocket underneath reconnects
 * with backoff; edits made meanwhile stay in the Y.Doc and merge on resync),
 * presence and the shared runs. Everything is torn down with the owning component.
 */
export function createDocumentRoom(documentId: string, me: { id: string; name: string }) {
  const doc = new Y.Doc();
  const text = doc.getText(DOC_ROOTS.sql);
  const provider = new YProvider(window.location.host, documentId, doc, {
    party: 'document',
    protocol: window.location.protocol === 'https:' ? 'wss' : 'ws',
    // Same-tab broadcast would bypass the server's read-only checks between tabs.
    disableBc: true,
  });
  const color = colorFor(me.id);
  // Shown to this tab only: the room stamps the server's name and colour on what others see.
  provider.awareness.setLocalStateField('user', {
    name: me.name,
    color,
    colorLight: `${color}33`,
    id: me.id,
  });

  const [status, setStatus] = createSignal<RoomStatus>('connecting');
  const [synced, setSynced] = createSignal(false);
  const [role, setRole] = createSignal<RoomRole | null>(null);
  const [readOnly, setReadOnly] = createSignal(false);
  const [closeReason, setCloseReason] = createSignal<string | null>(null);
  const [runs, setRuns] = createSignal<Record<string, RunEvent>>({});
  const [people, setPeople] = createSignal<PresenceUser[]>([]);
  const [refusal, setRefusal] = createSignal<string | null>(null);
  /** The latest schema change of the linked connection announced while this room was open. */
  const [schemaChange, setSchemaChange] = createSignal<SchemaChanged | null>(null);

  provider.on('status', (event: { status: 'connected' | 'disconnected' | 'connecting' }) => {
    if (status() !== 'closed') setStatus(event.status);
  });
  provider.on('sync', (isSynced: boolean) => setSynced(isSynced));
  provider.on('connection-close', (event: CloseEvent | null) => {
    if (event && TERMINAL_CLOSE_CODES.has(event.code)) {
      // Reconnecting would only repeat the refusal (deleted, forbidden, too large).
      provider.shouldConnect = false;
      setStatus('closed');
      setCloseReason(event.reason || `Closed by the server (code ${event.code})`);
    }
  });

  const applyRun = (event: RunEvent) =>
    setRuns((all) => {
      const previous = all[event.blockId];
      // A late run-started must not hide the result of a newer run.
      if (previous && previous.runId !== event.runId && previous.at > event.at) return all;
      return { ...all, [event.blockId]: event };
    });

  /** `run` requests waiting for the room's `run-granted` (or refusal), by request id. */
  const grants = new Map<string, (runId: string | null) => void>();
  const settleGrant = (requestId: string | undefined, runId: string | null) => {
    if (requestId === undefined) return false;
    const resolve = grants.get(requestId);
    if (!resolve) return false;
    grants.delete(requestId);
    resolve(runId);
    return true;
  };

  provider.on('custom-message', (raw: string) => {
    let message: ServerMessage;
    try {
      message = JSON.parse(raw) as ServerMessage;
    } catch {
      return; // Not ours: custom frames are JSON by protocol; anything else is ignored.
    }
    switch (message.type) {
      case 'welcome':
        setRole(message.role);
        setReadOnly(message.readOnly);
        break;
      case 'runs':
        for (const run of message.runs) applyRun(run);
        break;
      case 'run-started':
      case 'run-finished':
        applyRun(message);
        break;
      case 'run-granted':
        settleGrant(message.requestId, message.runId);
        break;
      case 'refused':
        // A refused run is not an error to show: the page runs it for this tab only.
        if (!settleGrant(message.requestId, null)) setRefusal(message.message);
        break;
      case 'schema-changed':
        setSchemaChange(message);
        break;
    }
  });

  const readPeople = () => {
    const list: PresenceUser[] = [];
    provider.awareness.getStates().forEach((state, clientId) => {
      const user = (state as { user?: { name?: string; color?: string } }).user;
      if (user?.name) {
        list.push({
          clientId,
          name: user.name,
          color: user.color ?? '#888',
          self: clientId === doc.clientID,
        });
      }
    });
    setPeople(list.sort((a, b) => Number(b.self) - Number(a.self) || a.clientId - b.clientId));
  };
  provider.awareness.on('change', readPeople);
  readPeople();

  const send = (message: ClientMessage) => provider.sendMessage(encodeMessage(message));

  /**
   * Asks the room to start a shared run of `blockId`: resolves with the run id its
   * `run-result` must carry, or null when the run cannot be shared (viewer, refused,
   * offline). Only the room mints run ids; a result for any other id is refused.
   */
  const startRun = (blockId: string): Promise<string | null> => {
    if (readOnly() || status() !== 'connected') return Promise.resolve(null);
    const requestId = crypto.randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => settleGrant(requestId, null), GRANT_TIMEOUT_MS);
      grants.set(requestId, (runId) => {
        clearTimeout(timer);
        resolve(runId);
      });
      send({ type: 'run', blockId, requestId });
    });
  };

  /** Shows a run that was not shared (a viewer's, or one the room refused) in this tab only. */
  const showLocalRun = (event: RunFinished) => applyRun(event);

  onCleanup(() => {
    for (const requestId of [...grants.keys()]) settleGrant(requestId, null);
    provider.awareness.off('change', readPeople);
    provider.destroy();
    doc.destroy();
  });

  return {
    doc,
    text,
    provider,
    awareness: provider.awareness,
    status,
    synced,
    role,
    readOnly,
    closeReason,
    refusal,
    schemaChange,
    runs,
    people,
    send,
    startRun,
    showLocalRun,
  };
}

export type DocumentRoom = ReturnType<typeof createDocumentRoom>;
