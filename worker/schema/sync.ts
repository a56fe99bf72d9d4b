/**
 * One sync: introspect, stage the snapshot in D1, diff against the current head,
 * flip the head atomically, then clean up and tell linked rooms.
 */
import type { Engine } from '../engines/engine.ts';
import { ApiError, upstream } from '../errors.ts';
import { afterResponse, type ServiceContext } from '../lib/after-response.ts';
import { cached, forgetConnection } from './cache.ts';
import { type DiffSummary, diffSnapshots, isEmptyDiff, structureHash, summarize } from './diff.ts';
import { notifySchemaChanged } from './events.ts';
import { readHead } from './head.ts';
import { deleteSnapshot, orphanSnapshots } from './snapshot-drop.ts';
import { loadSnapshot } from './snapshot-read.ts';
import { publishSnapshot, stageSnapshot } from './snapshot-write.ts';

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
  const hash = await structureHash(snapshot);
  const head = await readHead(db, scope.orgId, scope.connectionId);
  const snapshotId = crypto.randomUUID();
  const now = Date.now();

  let staged: Awaited<ReturnType<typeof stageSnapshot>>;
  try {
    staged = await stageSnapshot(db, {
      ...scope,
      snapshotId,
      snapshot,
      introspectMs,
      structureHash: hash,
      now,
    });
  } catch (err) {
    await deleteSnapshot(db, snapshotId).catch(() => undefined);
    console.error(JSON.stringify({ level: 'error', event: 'schema.stage_failed', error: String(err) }));
    throw upstream(
      'schema_store_failed',
      'Storing the schema snapshot in D1 failed; the previous one is kept',
      503,
    );
  }

  let change: { id: string; summary: DiffSummary; diff: ReturnType<typeof diffSnapshots> } | null = null;
  if (head && head.structureHash !== hash) {
    const previous = await cached({ ...scope, head }, 'snapshot', () => loadSnapshot(db, head));
    const diff = diffSnapshots(previous, snapshot);
    if (!isEmptyDiff(diff)) {
      const summary = summarize(diff);
      const tooBig = JSON.stringify(diff).length > MAX_DIFF_CHARS;
      change = { id: crypto.randomUUID(), summary, diff: tooBig ? truncatedDiff() : diff };
    }
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
    throw new ApiError(
      409,
      'sync_conflict',
      'Another sync of this connection finished first; its result is current',
    );
  }
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
    d1Statements: staged.statements + 1,
    d1Batches: staged.batches + 1,
    introspectMs: Math.round(introspectMs),
    storeMs: Math.round(storeMs),
    totalMs: Math.round(performance.now() - started),
  };
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
