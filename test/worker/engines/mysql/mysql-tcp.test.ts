/**
 * What only the TCP transport does (mysql/mysql-tcp.ts): a cancelled statement is stopped on the
 * server by `KILL QUERY` from a second connection, a request never holds more than two, and a
 * stream reads one statement with backpressure (the server waits for the consumer).
 */
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { targetOf } from '../../../../worker/engines/config.ts';
import { createEngine } from '../../../../worker/engines/create-engine.ts';
import { EngineError } from '../../../../worker/engines/engine.ts';
import { MysqlEngine } from '../../../../worker/engines/mysql/mysql-engine.ts';
import { mysqlTcpConnector } from '../../../../worker/engines/mysql/mysql-tcp.ts';
import { sakila, uniqueTable } from '../fixtures.ts';

const tcp = { ...sakila, transport: 'tcp' } as const;

async function running(marker: string): Promise<number> {
  const observer = createEngine(sakila, env);
  const sql =
    "select count(*) from information_schema.processlist where info like concat('%', ?, '%') and id <> connection_id()";
  const { rows } = await observer.query(sql, { params: [marker] });
  return Number(rows[0]?.[0]);
}

async function until(check: () => Promise<boolean>, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition never held');
}

it('a cancelled statement stops on the server (KILL QUERY from a second connection)', async () => {
  const marker = uniqueTable('cancel');
  const connector = mysqlTcpConnector(targetOf(tcp, ['mysql']));
  const engine = new MysqlEngine(connector, []);
  const controller = new AbortController();
  const run = engine.query(`select sleep(60) /* ${marker} */`, {
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
  expect(connector.budget.peak).toBeLessThanOrEqual(2);
}, 30_000);

it('each call closes its connection; a request never holds more than two', async () => {
  const connector = mysqlTcpConnector(targetOf(tcp, ['mysql']));
  const engine = new MysqlEngine(connector, []);
  await engine.test();
  await engine.query('select 1');
  await engine.script([{ sql: 'select 1' }, { sql: 'select 2' }], { readOnly: true });
  let total = 0;
  for await (const batch of engine.stream('select rental_id from rental order by rental_id', {
    batchSize: 5000,
  })) {
    total += batch.rows.length;
    await engine.query('select 1');
  }
  expect(total).toBe(16044);
  expect(connector.budget.peak).toBe(2);
  expect(connector.budget.open).toBe(0);
});

/** How long (server clock, ms) the statement marked `marker` has run, or null once it ended. */
async function runningFor(marker: string): Promise<number | null> {
  const observer = createEngine(sakila, env);
  const sql =
    "select time_ms from information_schema.processlist where info like concat('%', ?, '%') and id <> connection_id()";
  const { rows } = await observer.query(sql, { params: [marker] });
  return rows.length === 0 ? null : Number(rows[0]![0]);
}

it('a stream holds the server at the batch its consumer is on, and stops it when left early', async () => {
  const marker = uniqueTable('stream');
  const connector = mysqlTcpConnector(targetOf(tcp, ['mysql']));
  const engine = new MysqlEngine(connector, []);
  // ~30 MB: read straight through it ends within a second or two; more than the socket buffers
  // hold, so a paused reader keeps the server waiting to write.
  const sql = `select seq, repeat('x', 300) from seq_1_to_100000 /* ${marker} */`;
  let batches = 0;
  let held: number | null = null;
  for await (const batch of engine.stream(sql, { batchSize: 10 })) {
    batches++;
    expect(batch.rows).toHaveLength(10);
    // While this batch is unread the socket is paused, so the statement is still running 3 s
    // (server clock) later; without backpressure the driver reads on and the statement ends.
    await until(async () => {
      held = await runningFor(marker);
      return held === null || held >= 3000;
    });
    break;
  }
  expect(batches).toBe(1);
  expect(held).not.toBeNull();
  // Left early, the statement is killed rather than left writing to a closed socket.
  await until(async () => (await running(marker)) === 0);
  expect(connector.budget.peak).toBeLessThanOrEqual(2);
}, 30_000);
