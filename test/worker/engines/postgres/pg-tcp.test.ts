/**
 * What only the TCP transport does (postgres/pg-tcp.ts): a cancelled statement is stopped on the
 * server by a cancel request on a second socket, and a request never holds more than two sockets,
 * all closed by `close()`. The shared behaviour runs in contract.test.ts.
 */
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { targetOf } from '../../../../worker/engines/config.ts';
import { createEngine } from '../../../../worker/engines/create-engine.ts';
import { EngineError } from '../../../../worker/engines/engine.ts';
import { PgTcpTransport } from '../../../../worker/engines/postgres/pg-tcp.ts';
import { PostgresEngine } from '../../../../worker/engines/postgres/postgres-engine.ts';
import { pagila, uniqueTable } from '../fixtures.ts';

const tcp = { ...pagila, transport: 'tcp' } as const;

/** Statements still running on the server whose text holds `marker` (seen from another connection). */
async function running(marker: string): Promise<number> {
  const observer = createEngine(pagila, env);
  const sql =
    "select count(*) from pg_stat_activity where state = 'active' and query like '%' || $1 || '%' and pid <> pg_backend_pid()";
  const { rows } = await observer.query(sql, { params: [marker] });
  await observer.close();
  return Number(rows[0]?.[0]);
}

/** Polls `check` until it holds; fails after `tries` × 100 ms. */
async function until(check: () => Promise<boolean>, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition never held');
}

function engineWithTransport() {
  const transport = new PgTcpTransport(targetOf(tcp, ['postgres']));
  return { transport, engine: new PostgresEngine({ connectionString: 'test', secrets: [] }, transport) };
}

it('a cancelled statement stops on the server (cancel request on a second socket)', async () => {
  const marker = uniqueTable('cancel');
  const { transport, engine } = engineWithTransport();
  const controller = new AbortController();
  // Without the cancel request the backend would sleep on: closing its socket does not stop pg_sleep.
  const run = engine.query(`select pg_sleep(60) /* ${marker} */`, {
    timeoutMs: 120_000,
    signal: controller.signal,
  });
  run.catch(() => {});
  await until(async () => (await running(marker)) === 1);
  controller.abort();
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  expect((err as EngineError).code).toBe('timeout');
  await until(async () => (await running(marker)) === 0);
  expect(transport.peakSockets).toBeLessThanOrEqual(2);
  await engine.close();
});

it('a request holds at most two sockets, and close() releases them', async () => {
  const { transport, engine } = engineWithTransport();
  // One-shots share a socket; a script or stream takes a second while the shared one stays open.
  await engine.query('select 1');
  await engine.script([{ sql: 'select 1' }, { sql: 'select 2' }]);
  let total = 0;
  for await (const batch of engine.stream('select g from generate_series(1, 3000) g', { batchSize: 1000 })) {
    total += batch.rows.length;
    // A one-shot inside a stream reuses the shared socket instead of opening a third.
    await engine.query('select 1');
  }
  expect(total).toBe(3000);
  // Too big for the one-shot cap: read again over a session, a batch at a time.
  const wide = await engine.query("select repeat('x', 100000) from generate_series(1, 50)", {
    maxRows: 40,
    maxBytes: 1_000_000,
  });
  expect(wide.truncated).toBe(true);
  expect(transport.peakSockets).toBe(2);
  await engine.query('select 1');
  expect(transport.openSockets).toBe(1);
  await engine.close();
  expect(transport.openSockets).toBe(0);
});
