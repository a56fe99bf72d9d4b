import { MAX_RUN_EVENT_BYTES, type RunEvent } from './protocol.ts';

/**
 * The latest run event of each block, kept in the room's SQLite storage so people who
 * join after a run still see it running or see its result.
 */
export class RunBoard {
  /** Older blocks beyond this are forgotten so the join message stays small. */
  static readonly MAX_BLOCKS = 100;

  readonly #sql: SqlStorage;
  #ready = false;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  #ensureSchema(): void {
    if (this.#ready) return;
    this.#sql.exec(
      'CREATE TABLE IF NOT EXISTS block_run (block_id TEXT PRIMARY KEY, at INTEGER NOT NULL, event TEXT NOT NULL)',
    );
    this.#ready = true;
  }

  record(event: RunEvent): void {
    this.#ensureSchema();
    this.#sql.exec(
      'INSERT INTO block_run (block_id, at, event) VALUES (?, ?, ?) ON CONFLICT (block_id) DO UPDATE SET at = excluded.at, event = excluded.event',
      event.blockId,
      event.at,
      JSON.stringify(event),
    );
    this.#sql.exec(
      'DELETE FROM block_run WHERE block_id NOT IN (SELECT block_id FROM block_run ORDER BY at DESC LIMIT ?)',
      RunBoard.MAX_BLOCKS,
    );
  }

  /** Records `event` and returns the JSON to broadcast; null (nothing kept) when it is too large. */
  publish(event: RunEvent): string | null {
    const json = JSON.stringify(event);
    if (json.length > MAX_RUN_EVENT_BYTES) return null;
    this.record(event);
    return json;
  }

  latest(): RunEvent[] {
    this.#ensureSchema();
    return this.#sql
      .exec<{ event: string }>('SELECT event FROM block_run ORDER BY at')
      .toArray()
      .map((row) => JSON.parse(row.event) as RunEvent);
  }

  reset(): void {
    this.#ready = false;
  }
}
