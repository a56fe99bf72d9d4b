import type { Context } from 'hono';
import type { Authorized } from '../auth/policy.ts';
import { openEngine, refuseBuiltinWrite } from '../connections/open-engine.ts';
import type { Engine } from '../engines/engine.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { afterResponse, serviceContext } from '../lib/after-response.ts';
import type { QueryOutcome } from '../meta/queries.ts';
import { clientIp } from '../middleware/rate-limit.ts';
import { timed } from '../middleware/server-timing.ts';
import { failureCode, toApiError } from './engine-errors.ts';
import { type Bookkeeping, type ExecutionKind, recordExecution, writeTogether } from './history.ts';
import { concurrencyCap, enforceQueryRateLimits } from './limits.ts';
import { acquireSlot } from './slots.ts';

/** The route's authorization decision: `granted` is the action this execution runs under. */
export type Caller = Authorized;

export interface ExecutionSpec {
  connectionId: string;
  kind: ExecutionKind;
  statement: string;
  statementCount: number;
  readOnly: boolean;
  /** The database enforces this per statement; the request is aborted a little after it. */
  timeoutMs: number;
}

/** An execution in progress: an open engine, a held slot, a clock, and one `finish`. */
export interface Execution {
  engine: Engine;
  signal: AbortSignal;
  /** Releases slot and engine, writes history and audit; safe to call once. Returns the error mapped for HTTP. */
  finish(result: { rowCount: number | null; cached?: boolean; error?: unknown }): Promise<unknown>;
}

/** Grace between the database's own timeout and aborting the request from here. */
const ABORT_GRACE_MS = 5_000;

function outcomeOf(error: unknown): QueryOutcome {
  if (error === undefined) return 'ok';
  const code = error instanceof ApiError ? error.code : (error as { code?: unknown })?.code;
  if (code === 'timeout') return 'timeout';
  if (code === 'rate_limited' || code === 'too_many_concurrent_queries') return 'rate_limited';
  if (code === 'read_only_violation') return 'denied';
  return 'error';
}

/**
 * The execution pipeline after validation and authorization: rate limits, a
 * concurrency slot, the engine, then (in `finish`) history and audit. Every
 * attempt that got past authorization is recorded, refusals included.
 */
export async function beginExecution(
  c: Context<AppEnv>,
  caller: Caller,
  spec: ExecutionSpec,
): Promise<Execution> {
  const startedAt = Date.now();
  const ip = clientIp(c.req.raw.headers);
  const bookkeeping: Bookkeeping[] = [];
  const record = (rowCount: number | null, error: unknown, cached = false) => {
    // Taken now, before the write (afterResponse) begins.
    const durationMs = Date.now() - startedAt;
    return afterResponse(c, () =>
      recordExecution(
        c.env,
        {
          auth: caller,
          connectionId: spec.connectionId,
          kind: spec.kind,
          statement: spec.statement,
          statementCount: spec.statementCount,
          readOnly: spec.readOnly,
          cached,
          startedAt,
          durationMs,
          rowCount,
          outcome: outcomeOf(error),
          errorCode: error === undefined ? null : failureCode(error),
          ip,
        },
        bookkeeping,
      ),
    );
  };

  // The route authorized `caller.granted`; a write to a built-in is refused here too (openEngine
  // checks again) so that refusal costs no limit hit and no slot.
  refuseBuiltinWrite(spec.connectionId, caller.granted);
  // Independent round trips (two rate-limit objects, the slot's D1 insert, the connection's row
  // and secret), so they run together; errors keep the order they had when run one by one.
  const [limits, slot, opened] = await Promise.allSettled([
    timed(
      c,
      'limits',
      enforceQueryRateLimits(serviceContext(c), caller.userId, caller.orgId, spec.connectionId),
    ),
    (async () =>
      acquireSlot(caller.orgId, spec.connectionId, {
        cap: concurrencyCap(c.env),
        leaseMs: spec.timeoutMs + ABORT_GRACE_MS + 30_000,
      }))(),
    timed(
      c,
      'metadata',
      openEngine(serviceContext(c), caller, spec.connectionId, { readOnly: spec.readOnly, bookkeeping }),
    ),
  ]);
  const release = () => {
    if (slot.status === 'fulfilled') slot.value.release();
  };
  if (limits.status === 'rejected' || slot.status === 'rejected' || opened.status === 'rejected') {
    release();
    if (opened.status === 'fulfilled') opened.value.close().catch(() => {});
    const err: unknown = [limits, slot, opened].find((r) => r.status === 'rejected')?.reason;
    // A missing or inactive connection is not an execution; a refusal by the limits is.
    if (err instanceof ApiError && (err.status === 429 || err.status >= 500)) await record(null, err);
    else await afterResponse(c, () => writeTogether(c.env, bookkeeping, spec.kind));
    throw toApiError(err);
  }
  const engine = opened.value;

  const signal = AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(spec.timeoutMs + ABORT_GRACE_MS)]);
  let finished = false;
  return {
    engine,
    signal,
    async finish(result) {
      if (finished) return result.error;
      finished = true;
      release();
      // Closing an HTTP-transport engine is free; a WebSocket or TCP one is closed after the response.
      await afterResponse(c, () => engine.close().catch(() => {}));
      await record(result.rowCount, result.error, result.cached);
      return result.error === undefined ? undefined : toApiError(result.error);
    },
  };
}

/** `beginExecution`, run `fn`, `finish`: for executions that end with the handler. */
export async function runExecution<T>(
  c: Context<AppEnv>,
  caller: Caller,
  spec: ExecutionSpec,
  fn: (engine: Engine, signal: AbortSignal) => Promise<{ value: T; rowCount: number | null }>,
): Promise<T> {
  const execution = await beginExecution(c, caller, spec);
  let out: { value: T; rowCount: number | null };
  try {
    out = await timed(c, 'engine', () => fn(execution.engine, execution.signal));
  } catch (err) {
    throw await execution.finish({ rowCount: null, error: err });
  }
  await execution.finish({ rowCount: out.rowCount });
  return out.value;
}
