/**
 * What the fault suites share: the scratch databases per engine with a slow statement and a big
 * table to export, the HTTP transports that reach them through the local stand-ins, the faults
 * every suite runs the same way (a slow link, a statement, export or sync struck mid-way) and the
 * checks every fault ends with (a clear JSON error, a download that fails rather than looking
 * complete, the next query on the same connection answering).
 */
import { expect, it } from 'vitest';
import { SCRATCH_DATABASE } from './datasets.ts';
import type { AtriumClient } from './http-client.ts';

/** The local servers the fault suites reach, with the login and schema of their scratch database. */
export const FAULT_ENGINES = {
  postgres: { port: 5432, user: 'postgres', schema: 'public' },
  mysql: { port: 3306, user: 'root', schema: SCRATCH_DATABASE },
} as const;
export type FaultEngine = keyof typeof FAULT_ENGINES;

/** Rows in the table an export is faulted in: enough that the download is still running. */
const BIG_ROWS = 200_000;
/** Each engine's spelling of a sleeping statement and of a series 1..BIG_ROWS in a column `seq`. */
const DIALECT = {
  postgres: { sleep: 'pg_sleep', series: `generate_series(1, ${BIG_ROWS}) s(seq)` },
  mysql: { sleep: 'sleep', series: `seq_1_to_${BIG_ROWS}` },
} as const satisfies Record<FaultEngine, unknown>;

/** Connection settings for the engine's scratch database on loopback (no TLS, trusted login). */
export const scratchConnection = (engine: FaultEngine) =>
  ({ engine, database: SCRATCH_DATABASE, user: FAULT_ENGINES[engine].user, sslMode: 'disable' }) as const;

/** A statement that keeps the server busy for `s` seconds. */
export const sleepSql = (engine: FaultEngine, s: number) => `select ${DIALECT[engine].sleep}(${s})`;

/** (Re)creates `t` as BIG_ROWS rows of an id and a 128-character pad, the same table on each engine. */
export const bigTableSql = (engine: FaultEngine, t: string) =>
  `drop table if exists ${t}; create table ${t} as select seq as id, repeat(md5(concat(seq)), 4) as pad from ${DIALECT[engine].series}`;

/** The transports whose driver speaks HTTP or WebSocket to a stand-in that dials the database. */
export const HTTP_TRANSPORTS = {
  'neon-http': 'postgres',
  'neon-ws': 'postgres',
  'planetscale-http': 'mysql',
} as const satisfies Record<string, FaultEngine>;
export type HttpTransport = keyof typeof HTTP_TRANSPORTS;
export const HTTP_TRANSPORT_NAMES = Object.keys(HTTP_TRANSPORTS) as HttpTransport[];

/** Slack on top of a statement's timeout for the request to come back (a busy 2-core CI machine). */
export const GRACE_MS = 6_000;

/** What a fault proxy (test/support/fault-proxy.ts) offers the shared faults below. */
export interface Link {
  latencyMs: number;
  down: boolean;
  readonly openConnections: number;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: { dbCode?: string } };
}

export const queryOn = (client: AtriumClient, conn: string, sql: string, timeoutMs = 10_000) =>
  client.request('POST', `/api/connections/${conn}/query`, { sql, timeoutMs });

/** The next query on the same connection answers: Atrium recovered without a restart. */
export async function expectWorks(client: AtriumClient, conn: string): Promise<void> {
  const res = await queryOn(client, conn, 'select 41 + 1 as answer');
  expect({ status: res.status, body: res.status === 200 ? null : await res.text() }).toEqual({
    status: 200,
    body: null,
  });
  const body = (await res.json()) as { results: Array<{ rows: unknown[][] }> };
  expect(body.results[0]?.rows.map((r) => r.map(Number))).toEqual([[42]]);
}

/** A server-side failure as Atrium's JSON envelope with one of `codes`, no secret or stack in it. */
export async function expectCleanError(res: Response, codes: RegExp): Promise<ErrorBody> {
  const text = await res.text();
  // A body that is not Atrium's envelope (the runtime's own error page) fails here, legibly.
  expect({ status: res.status, text }).toMatchObject({ text: expect.stringMatching(/^\{"error"/) });
  expect(res.status).toBeGreaterThanOrEqual(500);
  const err = JSON.parse(text) as ErrorBody;
  expect(err.error.code).toMatch(codes);
  expect(err.error.message).not.toMatch(/password|stack|at \w+ \(/i);
  return err;
}

/** Creates `table` (the engine's big table), starts its CSV export and reads the first chunk. */
export async function startExport(
  client: AtriumClient,
  conn: string,
  engine: FaultEngine,
  table: string,
): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const setup = await queryOn(client, conn, bigTableSql(engine, table), 60_000);
  expect({ status: setup.status, body: setup.status === 200 ? null : await setup.text() }).toEqual({
    status: 200,
    body: null,
  });
  const res = await client.request(
    'GET',
    `/api/connections/${conn}/export?format=csv&schema=${FAULT_ENGINES[engine].schema}&table=${table}`,
  );
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  return reader;
}

/**
 * Exports `table` (see startExport), strikes `fault` after the first chunk, and checks that the
 * download fails, then drops the table and checks the connection answers again. Resolves to the
 * time from the fault to the failure, for suites that also bound how soon it is noticed.
 */
export async function exportUnderFault(
  client: AtriumClient,
  conn: string,
  engine: FaultEngine,
  table: string,
  fault: () => unknown,
): Promise<number> {
  const reader = await startExport(client, conn, engine, table);
  const started = Date.now();
  await fault();
  expect(await endingOf(reader)).toBe('failed');
  const noticedMs = Date.now() - started;
  expect((await queryOn(client, conn, `drop table ${table}`)).status).toBe(200);
  await expectWorks(client, conn);
  return noticedMs;
}

/** Reads a download to its end: `failed`, or how it ended cleanly (which a fault must not allow). */
export async function endingOf(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return `ended cleanly after ${bytes} more bytes`;
      bytes += value.length;
    }
  } catch {
    return 'failed';
  }
}

/**
 * On a link slower than a statement's timeout the query answers `timeout` near that timeout, not
 * whenever the link delivers; once the link behaves the connection answers again.
 */
async function expectTimeoutOnSlowLink(client: AtriumClient, conn: string, link: Link): Promise<void> {
  link.latencyMs = 8_000;
  try {
    const timeoutMs = 2_000;
    const started = Date.now();
    const res = await queryOn(client, conn, 'select 1', timeoutMs);
    const elapsed = Date.now() - started;
    // The whole answer, so a wrong status shows its code and message.
    expect({ status: res.status, body: await res.json() }).toMatchObject({
      status: 504,
      body: { error: { code: 'timeout' } },
    });
    // Not a hang until the slow link delivers: the answer came back near the timeout.
    expect(elapsed).toBeLessThan(timeoutMs + GRACE_MS);
  } finally {
    link.latencyMs = 0;
  }
  await expectWorks(client, conn);
}

/**
 * The two tests every proxied suite starts with, under the same names in each: the connection
 * answers through a behaving link, and a slow link gives `timeout` (expectTimeoutOnSlowLink).
 * `at` is read inside each test, once the suite's beforeAll has set things up.
 */
export function itAnswersThenTimesOutOnASlowLink(
  at: () => { client: AtriumClient; conn: string; link: Link },
): void {
  it('answers through the proxy while the link behaves', async () => {
    const { client, conn } = at();
    await expectWorks(client, conn);
  });

  it('times a query out within its timeout on a link slower than the timeout, then recovers', async () => {
    const { client, conn, link } = at();
    await expectTimeoutOnSlowLink(client, conn, link);
  }, 60_000);
}

/** Strikes `fault` once a request holds a connection through `link` and has had a second to reach the server. */
async function strikeWhenBusy(link: Link, fault: () => unknown): Promise<void> {
  await expect.poll(() => link.openConnections, { timeout: 10_000 }).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 1_000));
  await fault();
}

/**
 * Runs `query.sql` through `link`, strikes `fault` while it runs, and checks the answer is a
 * clean error with one of `query.codes` and that the connection answers again afterwards.
 * Resolves to how long the query took to answer, for suites that also bound it.
 */
export async function queryUnderFault(
  client: AtriumClient,
  conn: string,
  query: { sql: string; timeoutMs: number; codes: RegExp },
  link: Link,
  fault: () => unknown,
): Promise<number> {
  const started = Date.now();
  const pending = queryOn(client, conn, query.sql, query.timeoutMs);
  await strikeWhenBusy(link, fault);
  const res = await pending;
  const tookMs = Date.now() - started;
  await expectCleanError(res, query.codes);
  await expectWorks(client, conn);
  return tookMs;
}

/** One level of the synced schema tree (the tables of `schema`), as stored by the last good sync. */
export async function syncedTables(client: AtriumClient, conn: string, schema: string): Promise<unknown> {
  return client.json('GET', `/api/connections/${conn}/schema?schema=${encodeURIComponent(schema)}&limit=500`);
}

/**
 * Syncs once cleanly, then syncs again over a link slowed enough that introspection is still
 * running when `fault` strikes, and checks the faulted sync fails with a clear error and leaves
 * the stored schema as the clean sync left it (no partial snapshot becomes the head), then that
 * a sync and a query on the same connection work again.
 */
export async function syncUnderFault(
  client: AtriumClient,
  conn: string,
  schema: string,
  link: Link,
  fault: () => unknown,
): Promise<void> {
  const sync = () => client.request('POST', `/api/connections/${conn}/sync`);
  expect((await sync()).status).toBe(200);
  const before = await syncedTables(client, conn, schema);
  link.latencyMs = 300;
  let res: Response;
  try {
    const pending = sync();
    await strikeWhenBusy(link, fault);
    res = await pending;
  } finally {
    link.latencyMs = 0;
    link.down = false;
  }
  // A broken session is told at once, not left to the sync's timeout.
  await expectCleanError(res, /upstream_error|connection_refused/);
  expect(await syncedTables(client, conn, schema)).toEqual(before);
  expect((await sync()).status).toBe(200);
  await expectWorks(client, conn);
}
