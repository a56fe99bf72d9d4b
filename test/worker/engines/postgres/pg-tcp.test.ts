/**
 * What only the TCP transport does (postgres/pg-tcp.ts): a cancelled statement is stopped on the
 * server by a cancel request on a second socket, and a request never holds more than two sockets,
 * all closed by `close()`; a one-shot query's BEGIN … COMMIT travels in one flight, and a read-only
 * script begins and checks in one. The shared behaviour runs in contract.test.ts.
 */
import { env } from 'cloudflare:workers';
import pg from 'pg';
import { expect, it, vi } from 'vitest';
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

/**
 * Protocol turns on pg's connections: each time a client writes again after the server said it
 * was ready for the next query. Over a distance every turn costs a round trip, so this counts
 * them without a clock.
 */
function countTurns() {
  type Con = { _send(buffer: unknown): boolean; emit(event: string, ...args: unknown[]): boolean };
  const proto = (pg as unknown as { Connection: { prototype: Con } }).Connection.prototype;
  const answered = new WeakSet<object>();
  const seen = new WeakSet<object>();
  let turns = 0;
  const send = proto._send;
  const emit = proto.emit;
  const sends = vi.spyOn(proto, '_send').mockImplementation(function (this: Con, buffer: unknown) {
    // A connection's first write while counting starts a turn too: it had answered before.
    if (answered.has(this) || !seen.has(this)) {
      answered.delete(this);
      seen.add(this);
      turns++;
    }
    return send.call(this, buffer);
  });
  const emits = vi.spyOn(proto, 'emit').mockImplementation(function (
    this: Con,
    event: string,
    ...args: unknown[]
  ) {
    if (event === 'readyForQuery') answered.add(this);
    return emit.call(this, event, ...args);
  });
  return {
    get turns() {
      return turns;
    },
    restore() {
      sends.mockRestore();
      emits.mockRestore();
    },
  };
}

it('a one-shot query on an open socket takes one turn: BEGIN … COMMIT are pipelined', async () => {
  const { engine } = engineWithTransport();
  await engine.query('select 1'); // opens and authenticates the shared socket
  const counter = countTurns();
  try {
    // BEGIN READ ONLY, set_config, DECLARE, FETCH and COMMIT: five turns if each waited for the last.
    const result = await engine.query('select g from generate_series(1, 5) g', {
      readOnly: true,
      maxRows: 3,
    });
    expect(result.rows).toEqual([[1], [2], [3]]);
    expect(result.truncated).toBe(true);
    expect(counter.turns).toBe(1);
    // A failing statement still leaves the socket usable: the server rolled the transaction back.
    const err = await engine.query('select 1/0', { readOnly: true, maxRows: 3 }).catch((e: unknown) => e);
    expect((err as EngineError).code).not.toBeUndefined();
    const after = await engine.query('select 2', { readOnly: true, maxRows: 3 });
    expect(after.rows).toEqual([[2]]);
  } finally {
    counter.restore();
    await engine.close();
  }
});

it('a read-only script begins and checks in one turn, and ends without a COMMIT turn', async () => {
  const { engine } = engineWithTransport();
  const counter = countTurns();
  try {
    const [result] = await engine.script([{ sql: 'select 7' }], { readOnly: true });
    expect(result?.rows).toEqual([[7]]);
    // SET + BEGIN READ ONLY + check, the statement, its check (the startup is written past `_send`).
    // Checking apart from BEGIN and a COMMIT at the end made it five.
    expect(counter.turns).toBe(3);
  } finally {
    counter.restore();
    await engine.close();
  }
});
