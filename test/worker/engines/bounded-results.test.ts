/**
 * `maxRows` and the byte cap hold while reading, not after: each statement below would produce
 * 3 GB (3,000 rows of 1 MB). The stand-ins refuse to hold more than 64 MB and the isolate has
 * 128 MB, so these cases fail outright unless the server is asked for only the rows returned
 * (cursor FETCH / portal row limit / sql_select_limit) and bodies are read under a cap.
 */
import { env } from 'cloudflare:workers';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import { type Engine, EngineError } from '../../../worker/engines/engine.ts';
import { chinook, pagila, sakila } from './fixtures.ts';

const MB = 1024 * 1024;
const engines: Engine[] = [];
afterAll(async () => {
  for (const e of engines) await e.close();
});

// Every check runs over each transport; over TCP and WebSocket the byte cap counts the rows' wire bytes.
describe.each([
  pagila,
  { ...pagila, transport: 'tcp' } as const,
  { ...pagila, transport: 'neon-ws' } as const,
])('postgres over $transport: bounded results', (config) => {
  const engine = createEngine(config, env);
  engines.push(engine);
  const huge = "select repeat('x', 1000000) as wide from generate_series(1, 3000)";

  it.each([true, false])('maxRows 1 over 3 GB answers one row (readOnly %s)', async (readOnly) => {
    const result = await engine.query(huge, { maxRows: 1, readOnly });
    expect(result.rows).toHaveLength(1);
    expect((result.rows[0]![0] as string).length).toBe(1_000_000);
    expect(result.truncated).toBe(true);
    expect(result.truncatedReason).toBe('rows');
  });

  it('a script reads each statement a batch at a time', async () => {
    const results = await engine.script([{ sql: huge }, { sql: 'select 1' }], {
      maxRows: 1,
      readOnly: true,
    });
    expect(results[0]!.rows).toHaveLength(1);
    expect(results[0]!.truncatedReason).toBe('rows');
    expect(results[1]!.rows).toEqual([[1]]);
    expect(results[1]!.truncated).toBe(false);
  });

  it('the byte cap stops an HTTP body the isolate would not hold, then answers what fits', {
    timeout: 30_000,
  }, async () => {
    // FETCH 21 would send 21 MB: over the 8 MB body cap for 4 MB of values. Each row is
    // 1,000,010 bytes on the wire, so four fit in 4 MB.
    const result = await engine.query(huge, { maxRows: 20, maxBytes: 4 * MB, readOnly: true });
    expect(result.truncated).toBe(true);
    expect(result.truncatedReason).toBe('bytes');
    expect(result.rows).toHaveLength(4);
  });

  // Only the HTTP stand-in has a cap of its own; elsewhere the byte cap above is the one, already checked.
  if (config.transport === 'neon-http') {
    it("the stand-in's own cap (64 MB) ends with the same truncated answer", async () => {
      const result = await engine.query(huge, { maxRows: 10_000, maxBytes: 2 * MB, readOnly: true });
      expect(result.truncatedReason).toBe('bytes');
      expect(result.rows).toHaveLength(2);
    }, 60_000);
  }

  it('a script shares one byte budget across its statements', async () => {
    const wide = "select repeat('y', 1000000) from generate_series(1, 3)";
    const results = await engine.script([{ sql: wide }, { sql: wide }], {
      maxRows: 100,
      maxBytes: 3.5 * MB,
    });
    expect(results[0]!.rows).toHaveLength(3);
    expect(results[0]!.truncated).toBe(false);
    expect(results[1]!.rows).toHaveLength(0);
    expect(results[1]!.truncatedReason).toBe('bytes');
  });

  it('small results are untouched and carry no reason', async () => {
    const result = await engine.query('select actor_id from actor order by actor_id', { maxRows: 500 });
    expect(result.rows).toHaveLength(200);
    expect(result.truncated).toBe(false);
    expect(result.truncatedReason).toBeUndefined();
  });

  it('parameters reach the cursor, typed or not', async () => {
    const typed = await engine.query('select actor_id from actor where actor_id <= $1 order by actor_id', {
      params: [5],
      maxRows: 3,
    });
    expect(typed.rows).toEqual([[1], [2], [3]]);
    expect(typed.truncatedReason).toBe('rows');
    const untyped = await engine.query('select $1 as v', { params: ['x'], maxRows: 3 });
    expect(untyped.rows).toEqual([['x']]);
  });

  it('a WITH query is bounded by its cursor too', async () => {
    const result = await engine.query(
      'with t as (select 1 as x) select * from t union all select 2 union all select 3',
      { maxRows: 2 },
    );
    expect(result.rows).toEqual([[1], [2]]);
    expect(result.truncatedReason).toBe('rows');
  });
});

describe.each([sakila, { ...sakila, transport: 'tcp' } as const])(
  'mysql over $transport: bounded results',
  (config) => {
    const engine = createEngine(config, env);
    engines.push(engine);
    const huge = "select repeat('x', 1000000) as wide from seq_1_to_3000";

    it.each([true, false])('maxRows 1 over 3 GB answers one row (readOnly %s)', async (readOnly) => {
      const result = await engine.query(huge, { maxRows: 1, readOnly });
      expect(result.rows).toHaveLength(1);
      expect(String(result.rows[0]![0]).length).toBe(1_000_000);
      expect(result.truncated).toBe(true);
      expect(result.truncatedReason).toBe('rows');
    });

    it('a script asks the server for maxRows + 1 rows per statement', async () => {
      const results = await engine.script([{ sql: huge }, { sql: 'select 1' }], {
        maxRows: 1,
        readOnly: true,
      });
      expect(results[0]!.rows).toHaveLength(1);
      expect(results[0]!.truncatedReason).toBe('rows');
      expect(results[1]!.rows).toEqual([[1]]);
    });

    it('a body past the byte cap fails with a clear error instead of being buffered', async () => {
      // 13 rows: 13 MB, under the stand-in's cap, over the 4 MB body cap for 2 MB of values.
      const err = await engine.query(huge, { maxRows: 12, maxBytes: 2 * MB }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('query_error');
      expect((err as EngineError).message).toMatch(/larger than 2 MB/);
    }, 30_000);

    if (config.transport !== 'tcp') {
      it("the stand-in's own cap answers the same error", async () => {
        const err = await engine.query(huge, { maxRows: 10_000 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(EngineError);
        expect((err as EngineError).message).toMatch(/larger than 16 MB/);
      }, 60_000);
    }
  },
);

describe('sqlite (D1): bounded results', () => {
  const engine = createEngine(chinook, env);
  engines.push(engine);
  // 3,000 rows of 1 MB each: D1 would hand all of it to the isolate unless SQLite stops early.
  const huge = `with recursive r(n) as (select 1 union all select n + 1 from r where n < 3000)
    select n, hex(zeroblob(500000)) as wide from r`;

  it('maxRows 1 over 3 GB answers one row', async () => {
    const result = await engine.query(huge, { maxRows: 1, readOnly: true });
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]![0]).toBe(1);
    expect((result.rows[0]![1] as string).length).toBe(1_000_000);
    expect(result.truncated).toBe(true);
  });

  it('keeps the order, the duplicate column names and a trailing comment of a bounded read', async () => {
    const sql = 'select Name as a, ArtistId as a from Artist order by Name desc -- newest names first';
    const all = await engine.query(sql, { readOnly: true });
    const first = await engine.query(sql, { maxRows: 3, readOnly: true });
    expect(first.columns.map((c) => c.name)).toEqual(['a', 'a']);
    expect(first.rows).toEqual(all.rows.slice(0, 3));
    expect(first.truncated).toBe(true);
  });

  it('streams an export a page at a time', async () => {
    let rows = 0;
    for await (const page of engine.stream(huge, { batchSize: 5 })) {
      rows += page.rows.length;
      if (rows >= 10) break;
    }
    expect(rows).toBe(10);
  });
});
