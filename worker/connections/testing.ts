/** Connection tests: one round trip per login under a hard deadline, stored and audited. */
import { and, eq } from 'drizzle-orm';
import { type Engine, EngineError } from '../engines/engine.ts';
import { fromEngineError, notFound } from '../errors.ts';
import type { ServiceContext } from '../lib/after-response.ts';
import { builtinConnectionState, connections } from '../meta/connections.ts';
import { recordConnectionAudit as audit } from './audit.ts';
import { findBuiltin, isBuiltinId } from './builtins.ts';
import { forgetConnection } from './connection-cache.ts';
import { createUserEngine, upstreamName } from './engine-factory.ts';
import { toSafeEngineError } from './guard.ts';
import { builtinEngine, builtinLabel } from './open-engine.ts';
import { combineTests, probePrivileges } from './privileges.ts';
import { chooseLogin, currentReadOnlyLogin, nextReadOnlyLogin, readOnlySettings } from './read-only-login.ts';
import { metaDb as db, loadRow, type Scope } from './scope.ts';
import { openSecret } from './secrets.ts';
import { resolveSettings, settingsFromRow } from './settings.ts';
import type {
  ReadOnlyLogin,
  ReadOnlyLoginInput,
  ResolvedSettings,
  SettingsInput,
  TestOutcome,
} from './types.ts';
import type { TestColumns } from './views.ts';

/** Default test timeout: a database that has not answered by then is reported as `timeout`. */
export const TEST_TIMEOUT_MS = 10_000;

export async function testSavedConnection(
  ctx: ServiceContext,
  scope: Scope,
  id: string,
  options: { timeoutMs?: number | undefined } = {},
): Promise<TestOutcome> {
  const builtin = findBuiltin(id);
  if (builtin) {
    const outcome = await runTest(() => builtinEngine(ctx.env, builtin), builtinLabel(builtin), [], options);
    const columns = testColumns(outcome);
    await db(ctx.env)
      .insert(builtinConnectionState)
      .values({ orgId: scope.orgId, builtinId: builtin.id, ...columns })
      .onConflictDoUpdate({
        target: [builtinConnectionState.orgId, builtinConnectionState.builtinId],
        set: columns,
      });
    forgetConnection(scope.orgId, id);
    await audit(
      ctx.env,
      scope,
      'connection.test',
      id,
      outcome.ok ? 'success' : 'failure',
      testDetail(outcome),
    );
    return outcome;
  }
  if (isBuiltinId(id)) throw notFound('Connection');
  const row = await loadRow(ctx.env, scope.orgId, id);
  const stored = await openSecret(ctx.env, row.id, row.secret);
  const settings = settingsFromRow(row, stored);
  const login = currentReadOnlyLogin(row, stored);
  const { outcome, findings } = await testLogins(
    ctx,
    settings,
    login,
    upstreamName(settings, row.name),
    options,
  );
  await db(ctx.env)
    .update(connections)
    .set({ ...testColumns(outcome), lastTestPrivileges: findings })
    .where(and(eq(connections.id, id), eq(connections.orgId, scope.orgId)));
  // The findings decide which login read-only runs use (openEngine).
  forgetConnection(scope.orgId, id);
  await audit(ctx.env, scope, 'connection.test', id, outcome.ok ? 'success' : 'failure', testDetail(outcome));
  return outcome;
}

export async function testUnsavedSettings(
  ctx: ServiceContext,
  scope: Scope,
  input: SettingsInput & { readOnlyLogin?: ReadOnlyLoginInput | undefined },
  options: { timeoutMs?: number | undefined } = {},
): Promise<TestOutcome> {
  const settings = resolveSettings(input);
  const login = nextReadOnlyLogin(input.readOnlyLogin, null, null, settings);
  const { outcome } = await testLogins(ctx, settings, login, upstreamName(settings, null), options);
  await audit(ctx.env, scope, 'connection.test', null, outcome.ok ? 'success' : 'failure', {
    ...testDetail(outcome),
    engine: settings.engine,
    unsaved: true,
  });
  return outcome;
}

const testColumns = (outcome: TestOutcome): TestColumns => ({
  lastTestOk: outcome.ok,
  lastTestLatencyMs: outcome.latencyMs,
  lastTestServerVersion: outcome.serverVersion,
  lastTestErrorCode: outcome.error?.code ?? null,
  lastTestErrorMessage: outcome.error?.message ?? null,
  lastTestedAt: new Date(),
});

/** Tests the main login and then the read-only one, each reporting what it may do on the server. */
async function testLogins(
  ctx: ServiceContext,
  settings: ResolvedSettings,
  login: ReadOnlyLogin | null,
  upstream: string,
  options: { timeoutMs?: number | undefined },
) {
  const { secrets } = chooseLogin(settings, login, null, false);
  const test = (s: ResolvedSettings, name: string) =>
    runTest(() => createUserEngine(s, ctx.env), name, secrets, options);
  const main = await test(settings, upstream);
  const readOnly =
    login && main.ok ? await test(readOnlySettings(settings, login), `${upstream} (read-only login)`) : null;
  return combineTests(main, readOnly, login?.user ?? null);
}

const testDetail = (o: TestOutcome) => (o.ok ? { latencyMs: o.latencyMs } : { code: o.error?.code ?? null });

/**
 * One round trip under a hard deadline. The engine enforces the timeout itself;
 * the race is the backstop for a driver that ignores it, so a test never hangs.
 */
async function runTest(
  open: () => Engine,
  upstream: string,
  secrets: readonly string[],
  options: { timeoutMs?: number | undefined },
): Promise<TestOutcome> {
  const timeoutMs = options.timeoutMs ?? TEST_TIMEOUT_MS;
  let engine: Engine | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    engine = open();
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new EngineError('timeout', `${upstream} did not answer within ${timeoutMs} ms`)),
        timeoutMs + 1000,
      );
    });
    const result = await Promise.race([engine.test({ timeoutMs }), deadline]);
    const privileges = await Promise.race([probePrivileges(engine, timeoutMs), deadline]);
    return {
      ok: true,
      latencyMs: result.latencyMs,
      serverVersion: result.serverVersion,
      error: null,
      status: 200,
      privileges,
    };
  } catch (err) {
    const safe = toSafeEngineError(err, upstream, secrets);
    if (!(safe instanceof EngineError)) throw safe;
    const api = fromEngineError(safe);
    // A test result always says which database it was about, whatever the cause.
    const message = api.message.includes(upstream) ? api.message : `${upstream}: ${api.message}`;
    return {
      ok: false,
      latencyMs: null,
      serverVersion: null,
      error: { code: api.code, message },
      status: api.status,
    };
  } finally {
    clearTimeout(timer);
    // Closing is best effort: the outcome is already decided, and a socket that
    // will not close must not turn a clear result into an error.
    engine?.close().catch(() => {});
  }
}
