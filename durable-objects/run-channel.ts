import {
  MAX_RUN_EVENT_BYTES,
  type RefusalReason,
  ROOM_LIMITS,
  type RunEvent,
  type RunFinished,
  type RunGranted,
  type RunStarted,
  type ServerMessage,
} from './protocol.ts';
import { mayEdit, type RoomSession } from './room-session.ts';
import { RunBoard } from './run-board.ts';
import {
  ClientMessageSchema,
  type ClientRunMessage,
  type ClientRunResultMessage,
  type PublishRunInput,
  runEventOf,
} from './run-messages.ts';

export interface Refusal {
  type: 'refused';
  reason: RefusalReason;
  message: string;
  requestId?: string;
}

/**
 * Runs shared through the room's socket. The room, not the client, starts a run: it mints
 * the run id and binds it to the member and block in SQLite (a run outlives hibernation and
 * a reconnect of the runner's socket). A result is accepted once, only from an editor socket
 * of that member and only for a run id the room handed out; the block and start time come
 * from the room's record, never from the result. Every event shared is kept on the room's
 * run board (run-board.ts) for people who join later.
 */
export class RunChannel {
  readonly #sql: SqlStorage;
  readonly #board: RunBoard;
  #ready = false;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#board = new RunBoard(sql);
  }

  /** The latest run event of every block, for a socket that just joined. */
  latest(): RunEvent[] {
    return this.#board.latest();
  }

  /** A run event from the Worker (`publishRun` RPC): the JSON to broadcast, or why not. */
  publish(input: PublishRunInput): { ok: true; json: string } | { ok: false; error: string } {
    const event = runEventOf(input);
    if (!event) return { ok: false, error: 'invalid run event' };
    const json = this.#board.publish(event);
    return json === null ? { ok: false, error: 'run event too large' } : { ok: true, json };
  }

  #ensureSchema(): void {
    if (this.#ready) return;
    this.#sql.exec(
      'CREATE TABLE IF NOT EXISTS pending_run (run_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, block_id TEXT NOT NULL, started_at INTEGER NOT NULL)',
    );
    this.#ready = true;
  }

  /**
   * A custom (JSON) frame from `session`'s socket: what to answer the sender (`reply`), then
   * the JSON to broadcast to the room (`broadcast`, already kept on the board).
   */
  receive(session: RoomSession, raw: string): { reply?: ServerMessage; broadcast?: string } {
    let parsed: ReturnType<typeof ClientMessageSchema.safeParse>;
    try {
      parsed = ClientMessageSchema.safeParse(JSON.parse(raw));
    } catch {
      parsed = ClientMessageSchema.safeParse(undefined);
    }
    if (!parsed.success) return { reply: refusal('invalid-message', 'Unknown message') };
    const msg = parsed.data;
    if (msg.type === 'run') {
      const outcome = this.start(session, msg);
      if (isRefusal(outcome)) return { reply: outcome };
      return { reply: outcome.granted, ...this.#broadcast(outcome.started) };
    }
    const outcome = this.finish(session, msg);
    return isRefusal(outcome) ? { reply: outcome } : this.#broadcast(outcome);
  }

  /** A `run` message: grants a run id to the sender and announces the run to the room. */
  start(
    session: RoomSession,
    message: ClientRunMessage,
    now = Date.now(),
  ): { granted: RunGranted; started: RunStarted } | Refusal {
    const { requestId, blockId } = message;
    if (!mayEdit(session)) {
      return refusal('read-only', 'Viewers cannot share runs in this room', requestId);
    }
    this.#ensureSchema();
    this.#prune(now);
    const runId = crypto.randomUUID();
    this.#sql.exec(
      'INSERT INTO pending_run (run_id, user_id, block_id, started_at) VALUES (?, ?, ?, ?)',
      runId,
      session.userId,
      blockId,
      now,
    );
    // A member's runs that never report (a closed tab) must not pile up: keep the newest few.
    this.#sql.exec(
      'DELETE FROM pending_run WHERE user_id = ? AND run_id NOT IN (SELECT run_id FROM pending_run WHERE user_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?)',
      session.userId,
      session.userId,
      ROOM_LIMITS.maxPendingRunsPerMember,
    );
    const by = { userId: session.userId, name: session.name };
    return {
      granted: { type: 'run-granted', requestId, runId, blockId, startedAt: now },
      started: { type: 'run-started', runId, blockId, by, at: now },
    };
  }

  /** A `run-result` message: the `run-finished` event to publish, or why it is refused. */
  finish(session: RoomSession, message: ClientRunResultMessage, now = Date.now()): RunFinished | Refusal {
    if (!mayEdit(session)) {
      return refusal('read-only', 'Viewers cannot share run results');
    }
    this.#ensureSchema();
    this.#prune(now);
    const pending = this.#sql
      .exec<{ block_id: string; started_at: number }>(
        'SELECT block_id, started_at FROM pending_run WHERE run_id = ? AND user_id = ?',
        message.runId,
        session.userId,
      )
      .toArray()[0];
    // Unknown, someone else's, already finished or expired: the same answer for all four.
    if (!pending) return refusal('unknown-run', 'No run of yours with this id is in progress in this room');
    const finished = (result: RunFinished['result']): RunFinished => ({
      type: 'run-finished',
      runId: message.runId,
      blockId: pending.block_id,
      by: { userId: session.userId, name: session.name },
      at: now,
      startedAt: pending.started_at,
      ...(result ? { result } : {}),
      ...(message.error ? { error: message.error } : {}),
    });
    let event = finished(message.result);
    if (JSON.stringify(event).length > MAX_RUN_EVENT_BYTES && message.result?.rows) {
      // Wide rows: share the summary without its preview rather than leave the run hanging.
      const { rows: _rows, ...summary } = message.result;
      event = finished({ ...summary, truncated: true });
    }
    if (JSON.stringify(event).length > MAX_RUN_EVENT_BYTES) {
      // The run stays open: the sender may share a smaller summary under the same id.
      return refusal(
        'too-large',
        `Run results are limited to ${MAX_RUN_EVENT_BYTES} bytes; share a handle instead of rows`,
      );
    }
    this.#sql.exec('DELETE FROM pending_run WHERE run_id = ?', message.runId);
    return event;
  }

  reset(): void {
    this.#ready = false;
    this.#board.reset();
  }

  #broadcast(event: RunEvent): { broadcast?: string } {
    const json = this.#board.publish(event);
    return json === null ? {} : { broadcast: json };
  }

  #prune(now: number): void {
    this.#sql.exec('DELETE FROM pending_run WHERE started_at < ?', now - ROOM_LIMITS.pendingRunTtlMs);
  }
}

function refusal(reason: RefusalReason, message: string, requestId?: string): Refusal {
  return requestId === undefined
    ? { type: 'refused', reason, message }
    : { type: 'refused', reason, message, requestId };
}

export const isRefusal = <T extends object>(value: T | Refusal): value is Refusal =>
  'type' in value && value.type === 'refused';
