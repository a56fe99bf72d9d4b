import type { Context } from 'hono';
import type { AuthContext } from '../auth/context.ts';
import type { Action } from '../auth/policy.ts';
import { openEngine, type ServiceContext } from '../connections/service.ts';
import type { Engine } from '../engines/engine.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import type { QueryOutcome } from '../meta/queries.ts';
import { clientIp } from '../middleware/rate-limit.ts';
import { failureCode, toApiError } from './engine-errors.ts';
import { type ExecutionKind, recordExecution } from './history.ts';
import { concurrencyCap, enforceQueryRateLimits } from './limits.ts';
import { acquireSlot } from './slots.ts';

export type Caller = AuthContext & { orgId: string };

export interface ExecutionSpec {
  connectionId: string;
  kind: ExecutionKind;
  /** The policy action this execution needs (`query.read`, `query.write`, `rows.write`). */
  action: Action;
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

/** The connections service wants `env` and maybe `waitUntil`; Hono's getter throws when there is none. */
export function serviceContext(c: Context<AppEnv>): ServiceContext {
  let executionCtx: ServiceContext['executionCtx'];
  try {
    executionCtx = c.executionCtx;
  } catch {
    // app.request() in tests runs without an ExecutionContext; writes then happen inline.
  }
  return { env: c.env, executionCtx };
}

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
  const record = (rowCount: number | null, error: unknown, cached = false) =>
    recordExecution(c.env, {
      auth: caller,
      connectionId: spec.connectionId,
      kind: spec.kind,
      statement: spec.statement,
      statementCount: spec.statementCount,
      readOnly: spec.readOnly,
      cached,
      startedAt,
      durationMs: Date.now() - startedAt,
      rowCount,
      outcome: outcomeOf(error),
      errorCode: error === undefined ? null : failureCode(error),
      ip: clientIp(c.req.raw.headers),
    });

  let slot: Awaited<ReturnType<typeof acquireSlot>> | undefined;
  let engine: Engine;
  try {
    await enforceQueryRateLimits(c.env, caller.userId, spec.connectionId);
    slot = await acquireSlot(c.env, spec.connectionId, {
      cap: concurrencyCap(c.env),
      leaseMs: spec.timeoutMs + ABORT_GRACE_MS + 30_000,
    });
    engine = await openEngine(serviceContext(c), caller, spec.connectionId, { action: spec.action });
  } catch (err) {
    await slot?.release();
    // A missing or inactive connection is not an execution; a refusal by the limits is.
    if (err instanceof ApiError && (err.status === 429 || err.status >= 500)) await record(null, err);
    throw toApiError(err);
  }

  const signal = AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(spec.timeoutMs + ABORT_GRACE_MS)]);
  let finished = false;
  return {
    engine,
    signal,
    async finish(result) {
      if (finished) return result.error;
      finished = true;
      await Promise.all([slot?.release(), engine.close().catch(() => {})]);
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
    out = await fn(execution.engine, execution.signal);
  } catch (err) {
    throw await execution.finish({ rowCount: null, error: err });
  }
  await execution.finish({ rowCount: out.rowCount });
  return out.value;
}
