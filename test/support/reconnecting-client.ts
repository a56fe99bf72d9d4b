/**
 * A room member the way the web app is one: y-partyserver's own provider, which reconnects by
 * itself (with backoff) and, on every reconnect, sends the edits the room has not seen. Node's
 * `ws` stands in for the browser's WebSocket, with the member's credentials as headers.
 */
import WebSocket from 'ws';
import YProvider from 'y-partyserver/provider';
import * as Y from 'yjs';

export interface ReconnectingClient {
  doc: Y.Doc;
  text: Y.Text;
  provider: YProvider;
  /** Resolves once the provider has synced with the room (again, after a reconnect). */
  synced(): Promise<void>;
  destroy(): void;
}

/** `host` is `127.0.0.1:port`; `headers` carry a cookie or a Bearer token. */
export function connectReconnecting(
  host: string,
  documentId: string,
  headers: Record<string, string>,
): ReconnectingClient {
  class AuthenticatedSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  const doc = new Y.Doc();
  const provider = new YProvider(host, documentId, doc, {
    party: 'document',
    protocol: 'ws',
    WebSocketPolyfill: AuthenticatedSocket as unknown as typeof globalThis.WebSocket,
    // A restarted runtime answers within seconds: retry often rather than back off to 2.5 s.
    maxBackoffTime: 500,
  });
  return {
    doc,
    text: doc.getText('sql'),
    provider,
    synced: () =>
      new Promise<void>((resolve) => {
        if (provider.synced) return resolve();
        const onSync = (state: boolean) => {
          if (!state) return;
          provider.off('sync', onSync);
          resolve();
        };
        provider.on('sync', onSync);
      }),
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}
