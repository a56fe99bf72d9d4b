import * as Y from 'yjs';

/**
 * A room's Yjs history in its Durable Object SQLite storage: one snapshot (the merged
 * state at some point) plus the updates appended since. Appends are synchronous SQL
 * writes, and the runtime's output gate holds every outgoing WebSocket frame until the
 * writes before it are durable, so nothing the room has sent was unstored.
 */
export class UpdateLog {
  /** Snapshot rows are cut at this size: a single SQLite value in a Durable Object is capped at 2 MB. */
  static readonly CHUNK_BYTES = 1024 * 1024;
  /** Compact once the log holds this many updates or bytes, keeping loads fast. */
  static readonly COMPACT_AFTER_UPDATES = 500;
  static readonly COMPACT_AFTER_BYTES = 512 * 1024;

  readonly #storage: DurableObjectStorage;
  #ready = false;
  #snapshotBytes = 0;
  #logBytes = 0;
  #logCount = 0;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  get #sql(): SqlStorage {
    return this.#storage.sql;
  }

  /** Creates the tables on first use only, so rooms that never store anything stay empty. */
  #ensureSchema(): void {
    if (this.#ready) return;
    this.#sql.exec(`
      CREATE TABLE IF NOT EXISTS ydoc_snapshot (chunk INTEGER PRIMARY KEY, data BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS ydoc_update (seq INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL);
    `);
    const snap = this.#sql
      .exec<{ bytes: number }>('SELECT coalesce(sum(length(data)), 0) AS bytes FROM ydoc_snapshot')
      .one();
    const log = this.#sql
      .exec<{ bytes: number; n: number }>(
        'SELECT coalesce(sum(length(data)), 0) AS bytes, count(*) AS n FROM ydoc_update',
      )
      .one();
    this.#snapshotBytes = snap.bytes;
    this.#logBytes = log.bytes;
    this.#logCount = log.n;
    this.#ready = true;
  }

  /** Upper bound of the encoded document size: exact right after a compaction. */
  get storedBytes(): number {
    this.#ensureSchema();
    return this.#snapshotBytes + this.#logBytes;
  }

  get logLength(): number {
    this.#ensureSchema();
    return this.#logCount;
  }

  /**
   * Updates stored since the room was created, the initial text included. Compaction deletes
   * logged rows, but AUTOINCREMENT keeps the highest `seq` ever issued in sqlite_sequence, so
   * this count survives compaction and restarts; only `deleteAll` (document deleted) resets it.
   */
  get storedTotal(): number {
    this.#ensureSchema();
    const row = this.#sql
      .exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'ydoc_update'")
      .toArray()[0];
    return row?.seq ?? 0;
  }

  /** Everything to apply, in order: the snapshot (if any) then each logged update. */
  load(): Uint8Array[] {
    this.#ensureSchema();
    const out: Uint8Array[] = [];
    const chunks = this.#sql
      .exec<{ data: ArrayBuffer }>('SELECT data FROM ydoc_snapshot ORDER BY chunk')
      .toArray()
      .map((r) => new Uint8Array(r.data));
    if (chunks.length > 0) out.push(concat(chunks));
    for (const row of this.#sql.exec<{ data: ArrayBuffer }>('SELECT data FROM ydoc_update ORDER BY seq')) {
      out.push(new Uint8Array(row.data));
    }
    return out;
  }

  append(update: Uint8Array): void {
    this.#ensureSchema();
    this.#sql.exec('INSERT INTO ydoc_update (data) VALUES (?)', update);
    this.#logBytes += update.byteLength;
    this.#logCount += 1;
  }

  get needsCompaction(): boolean {
    this.#ensureSchema();
    return (
      this.#logCount >= UpdateLog.COMPACT_AFTER_UPDATES || this.#logBytes >= UpdateLog.COMPACT_AFTER_BYTES
    );
  }

  /** Replaces snapshot and log with `state` (the full encoded document) in one transaction. */
  compact(state: Uint8Array): void {
    this.#ensureSchema();
    this.#storage.transactionSync(() => {
      this.#sql.exec('DELETE FROM ydoc_snapshot');
      this.#sql.exec('DELETE FROM ydoc_update');
      for (let i = 0, chunk = 0; i < state.byteLength; i += UpdateLog.CHUNK_BYTES, chunk++) {
        this.#sql.exec(
          'INSERT INTO ydoc_snapshot (chunk, data) VALUES (?, ?)',
          chunk,
          state.subarray(i, i + UpdateLog.CHUNK_BYTES),
        );
      }
    });
    this.#snapshotBytes = state.byteLength;
    this.#logBytes = 0;
    this.#logCount = 0;
  }

  /** Applies everything stored to `doc`. */
  restore(doc: Y.Doc): void {
    const parts = this.load();
    if (parts.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(parts));
  }

  /**
   * Stores an update of `doc`, compacting to `doc`'s whole state once the log has grown.
   * Returns why it failed (logged here with `room`), or null once the update is stored.
   */
  tryRecord(doc: Y.Doc, update: Uint8Array, room: string): string | null {
    try {
      this.append(update);
      if (this.needsCompaction) this.compact(Y.encodeStateAsUpdate(doc));
      return null;
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', event: 'room.persist_failed', room }));
      return err instanceof Error ? err.message : 'persist failed';
    }
  }

  /** Whether `incoming` more bytes keep the stored `doc` within `max` bytes. */
  fits(doc: Y.Doc, incoming: number, max: number): boolean {
    if (this.storedBytes + incoming <= max) return true;
    // The log over-counts (superseded and duplicate updates); compacting gives the exact size.
    this.compact(Y.encodeStateAsUpdate(doc));
    return this.storedBytes + incoming <= max;
  }

  /** Forget cached counters after the storage was wiped (deleteAll). */
  reset(): void {
    this.#ready = false;
    this.#snapshotBytes = 0;
    this.#logBytes = 0;
    this.#logCount = 0;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
