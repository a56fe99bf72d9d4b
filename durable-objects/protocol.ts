/**
 * The wire contract of a document room, shared by the Durable Object and the web app.
 * Types and constants only (no Worker or Yjs imports) so `web/` can import it as is.
 *
 * Transport: `GET /parties/document/:id` upgraded to a WebSocket (partyserver's URL
 * convention; `new YProvider(host, id, doc, { party: 'document' })` builds it). Binary
 * frames are the Yjs sync and awareness protocol (y-protocols); text frames prefixed
 * with `__YPS:` carry the JSON messages below (YProvider#sendMessage and its
 * `custom-message` event add and strip the prefix).
 */

/** Root names inside the room's Y.Doc. */
export const DOC_ROOTS = {
  /** Y.Text: the document's main SQL text. */
  sql: 'sql',
  /** Y.Array<Y.Map>: named query blocks and notes, in display order (see DocumentBlock). */
  blocks: 'blocks',
} as const;

/** Keys of each Y.Map inside the `blocks` array. `text` is a Y.Text; the others are strings. */
export interface DocumentBlockFields {
  id: string;
  kind: 'query' | 'note';
  name: string;
}

/**
 * Limits a room enforces. Hitting one closes only the offending socket with the code
 * below; the room keeps serving everybody else.
 */
export const ROOM_LIMITS = {
  /** Largest single WebSocket frame a client may send. */
  maxMessageBytes: 256 * 1024,
  /** Largest encoded Yjs state (text, blocks and tombstones) a room will store. */
  maxDocumentBytes: 2 * 1024 * 1024,
  /** Sockets open at once in one room (a person with two tabs counts twice). */
  maxConnections: 128,
  /** Sustained frames per second per socket (Yjs updates, awareness and JSON together). */
  messagesPerSecond: 60,
  /** Frames a socket may send in a burst before the sustained rate applies. */
  messageBurst: 240,
  /** Largest awareness (presence) frame; larger ones are refused and not relayed. */
  maxAwarenessBytes: 8 * 1024,
  /** Awareness frames relayed per second per socket; the excess is coalesced into the latest. */
  awarenessPerSecond: 10,
  /** Awareness frames relayed at once before `awarenessPerSecond` applies. */
  awarenessBurst: 10,
  /** Runs a member may have in progress at once; starting more forgets their oldest. */
  maxPendingRunsPerMember: 8,
  /** A started run whose result has not arrived after this long can no longer be finished. */
  pendingRunTtlMs: 15 * 60_000,
} as const;

export type RoomLimits = typeof ROOM_LIMITS;

/**
 * Close codes a room uses (4000–4999 is the application range of RFC 6455).
 * `TERMINAL_CLOSE_CODES` must not be retried automatically: reconnecting would only
 * repeat the same refusal (the provider would otherwise reconnect forever).
 */
export const CloseCode = {
  /** The member's role changed: reconnect to join with the new role. */
  Rejoin: 4001,
  /** The API token that opened the socket was revoked or expired. */
  TokenInvalid: 4401,
  /** A frame exceeded `maxMessageBytes`. */
  MessageTooLarge: 4400,
  /** Membership revoked, or the room could not verify the caller. */
  Forbidden: 4403,
  /** `maxConnections` sockets are already open; retry later. */
  RoomFull: 4409,
  /** The document was deleted. */
  Gone: 4410,
  /** Applying the edit would take the document past `maxDocumentBytes`. */
  DocumentTooLarge: 4413,
  /** More than `messagesPerSecond` (after the burst); reconnecting after a pause is fine. */
  RateLimited: 4429,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.MessageTooLarge,
  CloseCode.TokenInvalid,
  CloseCode.Forbidden,
  CloseCode.Gone,
  CloseCode.DocumentTooLarge,
]);

/** Prefix y-partyserver puts in front of custom (JSON) text frames. */
export const CUSTOM_MESSAGE_PREFIX = '__YPS:';

/** Member roles, lowest first; worker/auth/roles.ts takes the policy's order from here. */
export const ROOM_ROLES = ['viewer', 'editor', 'admin', 'owner'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

/** Who did something in the room, as the server saw it (never taken from the client). */
export interface RoomActor {
  userId: string;
  name: string;
}

/** What a finished run shares with the room: a summary, never the full result set. */
export interface RunResultSummary {
  columns: string[];
  rowCount: number;
  /** The first rows (at most `MAX_PREVIEW_ROWS`), for an inline preview. */
  rows?: unknown[][];
  /** True when `rows` is a prefix of a longer result. */
  truncated?: boolean;
  durationMs?: number;
  /** Opaque id to fetch the full result (e.g. a query-history entry). */
  handle?: string;
}

export const MAX_PREVIEW_ROWS = 50;
/** A run event larger than this (as JSON) is refused; send a handle instead of rows. */
export const MAX_RUN_EVENT_BYTES = 64 * 1024;

export interface RunStarted {
  type: 'run-started';
  runId: string;
  blockId: string;
  by: RoomActor;
  /** Epoch milliseconds, server clock. */
  at: number;
}

export interface RunFinished {
  type: 'run-finished';
  runId: string;
  blockId: string;
  by: RoomActor;
  at: number;
  startedAt?: number;
  result?: RunResultSummary;
  error?: { code: string; message: string };
}

export type RunEvent = RunStarted | RunFinished;

/**
 * Counts of what a schema sync found changed (the Worker's `DiffSummary`, restated
 * here so this file stays free of Worker imports; worker/schema/sync.ts passes a
 * `DiffSummary` where this type is expected, so tsc catches a count that drifts away).
 */
export interface SchemaChangeSummary {
  tablesAdded: number;
  tablesRemoved: number;
  tablesChanged: number;
  columnsAdded: number;
  columnsRemoved: number;
  columnsChanged: number;
  keysAdded: number;
  keysRemoved: number;
  indexesAdded: number;
  indexesRemoved: number;
  indexesChanged: number;
  enumsChanged: number;
  /** Sequences, domains, routines, triggers and events added, removed or changed. */
  objectsChanged: number;
}

/**
 * A sync of the document's linked connection changed its schema. The Worker sends this to
 * the room (`schemaChanged` RPC); the room relays it to every socket as `SchemaChanged`.
 */
export interface SchemaChangedEvent {
  connectionId: string;
  /** The new head snapshot (GET /api/connections/:id/schema reports it as `snapshot.id`). */
  snapshotId: string;
  /** The history entry (GET /api/connections/:id/schema/history) describing the change. */
  changeId: string;
  /** ISO 8601 (server clock), the same value the sync's own response reports. */
  syncedAt: string;
  summary: SchemaChangeSummary;
}

/** The relayed event: refresh what depends on the schema. */
export interface SchemaChanged extends SchemaChangedEvent {
  type: 'schema-changed';
}

/** Messages the room sends (JSON after the `__YPS:` prefix). */
export type ServerMessage =
  | {
      type: 'welcome';
      connectionId: string;
      user: RoomActor;
      role: RoomRole;
      /** Viewers: the room drops this socket's document updates (awareness still flows). */
      readOnly: boolean;
      limits: RoomLimits;
    }
  /** The latest run of every block, sent on join so late joiners see results. */
  | { type: 'runs'; runs: RunEvent[] }
  /** To the sender of `run` only: the id the room minted; its `run-result` must carry it. */
  | RunGranted
  | RunStarted
  | RunFinished
  | SchemaChanged
  /** Something this socket sent was refused; the socket stays open. */
  | {
      type: 'refused';
      reason: RefusalReason;
      message: string;
      /** Echoes the `requestId` of a refused `run`, so the sender can stop waiting. */
      requestId?: string;
    };

export type RefusalReason = 'read-only' | 'invalid-message' | 'unknown-run' | 'too-large';

export interface RunGranted {
  type: 'run-granted';
  /** The sender's `requestId`. */
  requestId?: string;
  runId: string;
  blockId: string;
  startedAt: number;
}

/** Messages a client may send (JSON after the `__YPS:` prefix). */
export type ClientMessage =
  /**
   * Editors only: "I am running this block". The room mints a run id, answers the sender
   * with `run-granted` and broadcasts `run-started` with the sender as `by`.
   */
  | { type: 'run'; blockId: string; requestId?: string }
  /**
   * Editors only: the outcome of a run the room granted to this member (`runId` from
   * `run-granted`), broadcast once as `run-finished`; any other run id is refused.
   */
  | {
      type: 'run-result';
      /** Ignored: the block is the one the run was granted for. */
      blockId?: string;
      runId: string;
      result?: RunResultSummary;
      error?: { code: string; message: string };
    };

export function encodeMessage(message: ServerMessage | ClientMessage): string {
  return JSON.stringify(message);
}
