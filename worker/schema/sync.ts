/**
 * One sync: introspect; then either refresh the head in place (same structure) or stage a new
 * snapshot in D1 while diffing against the head and flip the head atomically; then clean up
 * and tell linked rooms.
 */
import type { Engine } from '../engines/engine.ts';
import type { SchemaSnapshot } from '../engines/schema-model.ts';
import { ApiError, upstream } from '../errors.ts';
import { afterResponse, type ServiceContext } from '../lib/after-response.ts';
import { type CacheScope, forgetConnection, peek } from './cache.ts';
import { type DiffSummary, diffSnapshots, isEmptyDiff, structureHash, summarize } from './diff.ts';
import { notifySchemaChanged } from './events.ts';
import { type Head, readHead } from './head.ts';
import { deleteSnapshot, orphanSnapshots } from './snapshot-drop.ts';
import { loadSnapshot } from './snapshot-read.ts';
import { publishSnapshot, refreshSnapshot, stageSnapshot } from './snapshot-write.ts';

/** A staged snapshot older than this with no head pointing at it belongs to a sync that died. */
const ABANDONED_STAGE_MS = 10 * 60 * 1000;
/** A diff bigger than this (as JSON) is stored as its summary only: D1 rows top out at 2 MB. */
const MAX_DIFF_CHARS = 1_000_000;

export interface SyncScope {
  orgId: string;
  connectionId: string;
}

export interface SyncResult {
  snapshotId: string;
  syncedAt: number;
  changed: boolean;
  changeId: string | null;
  summary: DiffSummary | null;
  tableCount: number;
  columnCount: number;
  /** Catalog queries sent to the user's database. */
  queryCount: number;
  /** D1 statements written for the snapshot (in `d1Batches` transactions, plus the flip). */
  d1Statements: number;
  d1Batches: number;
  introspectMs: number;
  storeMs: number;
  totalMs: number;
}

const inFlight = new Map<string, Promise<SyncResult>>();

/** Syncs once per isolate at a time per connection; concurrent callers share the result. */
export function syncSchema(ctx: ServiceContext, scope: SyncScope, engine: Engine): Promise<SyncResult> {
  const key = `${scope.orgId}\u0000${scope.connectionId}`;
  const running = inFlight.get(key);
  if (running) return running;
  const promise = runSync(ctx, scope, engine).finally(() => inFlight.delete(key));
  inFlight.set(key, promise);
  return promise;
}

async function runSync(ctx: ServiceContext, scope: SyncScope, engine: Engine): Promise<SyncResult> {
  const db = ctx.env.DB;
  const started = performance.now();
  const snapshot = await engine.introspect();
  const introspectMs = performance.now() - started;
  const storeStarted = performance.now();
  const [hash, head] = await Promise.all([
    structureHash(snapshot),
    readHead(db, scope.orgId, scope.connectionId),
  ]);
  const now = Date.now();
  const input = { db, scope, snapshot, introspectMs, now };
  // The common re-sync finds the structure unchanged: the head's rows stay, refreshed in place.
  const stored =
    head && head.structureHash === hash ? await refresh(input, head) : await replace(input, head, hash);
  const { snapshotId, change } = stored;
  forgetConnection(scope.orgId, scope.connectionId);
  const storeMs = performance.now() - storeStarted;

  // Cleanup and the rooms' notice are not the sync's answer: they finish after the response.
  const after = (work: Promise<unknown>) => afterResponse(ctx, work, 'schema.after_sync_failed');
  await Promise.all([
    after(cleanOld(db, scope, [snapshotId, head?.snapshotId ?? ''], now)),
    change &&
      after(
        notifySchemaChanged(ctx.env, scope.orgId, {
          connectionId: scope.connectionId,
          snapshotId,
          changeId: change.id,
          syncedAt: new Date(now).toISOString(),
          summary: change.summary,
        }),
      ),
  ]);

  return {
    snapshotId,
    syncedAt: now,
    changed: change !== null,
    changeId: change?.id ?? null,
    summary: change?.summary ?? null,
    tableCount: snapshot.tables.length,
    columnCount: snapshot.tables.reduce((n, t) => n + t.columns.length, 0),
    queryCount: snapshot.queryCount,
    d1Statements: stored.statements,
    d1Batches: stored.batches,
    introspectMs: Math.round(introspectMs),
    storeMs: Math.round(storeMs),
    totalMs: Math.round(performance.now() - started),
  };
}

type Change = { id: string; summary: DiffSummary; diff: ReturnType<typeof diffSnapshots> };

interface StoreInput {
  db: D1Database;
  scope: SyncScope;
  snapshot: SchemaSnapshot;
  introspectMs: number;
  now: number;
}

interface Stored {
  snapshotId: string;
  change: Change | null;
  statements: number;
  batches: number;
}

const conflict = () =>
  new ApiError(409, 'sync_conflict', 'Another sync of this connection finished first; its result is current');

/** The head's structure, found again: row estimates and figures refreshed on the head itself. */
async function refresh({ db, scope, snapshot, introspectMs, now }: StoreInput, head: Head): Promise<Stored> {
  const statements = await refreshSnapshot(db, {
    ...scope,
    snapshotId: head.snapshotId,
    snapshot,
    introspectMs,
    now,
  });
  if (statements === null) throw conflict();
  return { snapshotId: head.snapshotId, change: null, statements, batches: 1 };
}

/**
 * A new structure (or the first sync): a new snapshot is staged, the diff against the head
 * recorded, and the head moved to it. The rows are written while the previous snapshot is
 * read and diffed: D1 works on one as the isolate computes the other. Either way the writes
 * are waited for before going on or failing.
 */
async function replace(
  { db, scope, snapshot, introspectMs, now }: StoreInput,
  head: Head | null,
  hash: string,
): Promise<Stored> {
  const snapshotId = crypto.randomUUID();
  let failure: unknown;
  const staging = stageSnapshot(db, {
    ...scope,
    snapshotId,
    snapshot,
    introspectMs,
    structureHash: hash,
    now,
  }).catch((err: unknown) => {
    failure = err;
    return null;
  });
  let change: Change | null;
  let staged: Awaited<typeof staging>;
  try {
    change = head ? await changeSince(db, { ...scope, head }, snapshot) : null;
  } finally {
    staged = await staging;
  }
  if (!staged) {
    await deleteSnapshot(db, snapshotId).catch(() => undefined);
    console.error(JSON.stringify({ level: 'error', event: 'schema.stage_failed', error: String(failure) }));
    throw upstream(
      'schema_store_failed',
      'Storing the schema snapshot in D1 failed; the previous one is kept',
      503,
    );
  }
  const published = await publishSnapshot(db, {
    ...scope,
    snapshotId,
    previousSnapshotId: head?.snapshotId ?? null,
    change,
    now,
  });
  if (!published) {
    await deleteSnapshot(db, snapshotId).catch(() => undefined);
    throw conflict();
  }
  return { snapshotId, change, statements: staged.statements + 1, batches: staged.batches + 1 };
}

/** What changed since the head, or null: hashes also differ when only the rows' layout did. */
async function changeSince(
  db: D1Database,
  scope: CacheScope,
  snapshot: SchemaSnapshot,
): Promise<Change | null> {
  // The head is about to be replaced: a copy already cached is used, one loaded now is not kept.
  const previous = (await peek<SchemaSnapshot>(scope, 'snapshot')) ?? (await loadSnapshot(db, scope.head));
  const diff = diffSnapshots(previous, snapshot);
  if (isEmptyDiff(diff)) return null;
  const tooBig = JSON.stringify(diff).length > MAX_DIFF_CHARS;
  return { id: crypto.randomUUID(), summary: summarize(diff), diff: tooBig ? truncatedDiff() : diff };
}

async function cleanOld(db: D1Database, scope: SyncScope, keep: string[], now: number) {
  for (const id of await orphanSnapshots(
    db,
    scope.orgId,
    scope.connectionId,
    keep,
    now - ABANDONED_STAGE_MS,
  )) {
    await deleteSnapshot(db, id);
  }
}

function truncatedDiff(): ReturnType<typeof diffSnapshots> {
  return {
    tablesAdded: [],
    tablesRemoved: [],
    tablesChanged: [],
    enumsAdded: [],
    enumsRemoved: [],
    enumsChanged: [],
    objectsAdded: [],
    objectsRemoved: [],
    objectsChanged: [],
    truncated: true,
  };
}
