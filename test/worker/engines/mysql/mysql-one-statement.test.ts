/**
 * A single statement on MariaDB, once the server's flavor is known in the isolate, goes in one
 * round trip (`SET STATEMENT … FOR`, mysql-engine.ts): the server must still enforce the
 * read-only mode, the statement timeout and the row limit exactly as the two-step way does.
 */
import { expect, it } from 'vitest';
import { targetOf } from '../../../../worker/engines/config.ts';
import { EngineError } from '../../../../worker/engines/engine.ts';
import { MysqlEngine } from '../../../../worker/engines/mysql/mysql-engine.ts';
import { mysqlTcpConnector } from '../../../../worker/engines/mysql/mysql-tcp.ts';
import type { MysqlConnector } from '../../../../worker/engines/mysql/mysql-transport.ts';
import { scratch, uniqueTable } from '../fixtures.ts';

const tcp = { ...scratch.mysql, transport: 'tcp' } as const;

/** An engine whose connections record every statement sent, keyed to a server of its own. */
function recordingEngine(server: string) {
  const inner = mysqlTcpConnector(targetOf(tcp, ['mysql']));
  const sent: string[] = [];
  const connector: MysqlConnector = (signal, maxBody) => {
    const conn = inner(signal, maxBody);
    return {
      execute: (sql, args) => {
        sent.push(sql);
        return conn.execute(sql, args);
      },
      close: () => conn.close?.(),
    };
  };
  return { engine: new MysqlEngine(connector, [], server), sent };
}

async function failure(work: Promise<unknown>): Promise<EngineError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

it('learns the flavor once, then sends a single statement with its limits in one round trip', async () => {
  const server = uniqueTable('server');
  const first = recordingEngine(server);
  await first.engine.query('select 1', { readOnly: true, maxRows: 10 });
  expect(first.sent).toHaveLength(2);
  expect(first.sent[0]).toMatch(/^SET SESSION/);

  const next = recordingEngine(server);
  const result = await next.engine.query('select 1', { readOnly: true, maxRows: 10, timeoutMs: 5000 });
  expect(result.rows).toEqual([[1]]);
  expect(next.sent).toEqual([
    'SET STATEMENT max_statement_time = 5, tx_read_only = 1, sql_select_limit = 11 FOR select 1',
  ]);
});

it('in one round trip the server still refuses writes, stops at the timeout and bounds the rows', async () => {
  const server = uniqueTable('server');
  await recordingEngine(server).engine.query('select 1');
  const { engine, sent } = recordingEngine(server);
  const table = uniqueTable('one_shot');

  const write = await failure(engine.query(`create table ${table} (x int)`, { readOnly: true }));
  expect(write.code).toBe('read_only_violation');
  const slow = await failure(engine.query('select sleep(5)', { timeoutMs: 300 }));
  expect(slow.code).toBe('timeout');
  const bounded = await engine.query('select seq from seq_1_to_100', { maxRows: 3 });
  expect(bounded.rows).toEqual([[1], [2], [3]]);
  expect(bounded.truncated).toBe(true);
  expect(sent.every((s) => s.startsWith('SET STATEMENT'))).toBe(true);

  // The table was never made: the write did not run under another path either.
  const check = await engine.query(
    'select count(*) from information_schema.tables where table_schema = database() and table_name = ?',
    { params: [table] },
  );
  expect(check.rows).toEqual([[0]]);
});

it('a syntax error is answered as the statement alone gets it (the two-step way)', async () => {
  const server = uniqueTable('server');
  await recordingEngine(server).engine.query('select 1');
  const { engine, sent } = recordingEngine(server);
  const err = await failure(engine.query('selec 1'));
  expect(err.code).toBe('query_error');
  expect(err.message).toContain("near 'selec 1'");
  expect(sent.at(-1)).toBe('selec 1');
});
