/**
 * What the fault suites share: the scratch databases per engine with a slow statement and a big
 * table to export, the HTTP transports that reach them through the local stand-ins, and the
 * checks every fault ends with (a clear JSON error, a download that fails rather than looking
 * complete, the next query on the same connection answering).
 */
import { expect } from 'vitest';
import type { AtriumClient } from './http-client.ts';

export const FAULT_ENGINES = {
  postgres: {
    port: 5432,
    config: { engine: 'postgres', database: 'atrium_test', user: 'postgres', sslMode: 'disable' },
    sleep: (s: number) => `select pg_sleep(${s})`,
    schema: 'public',
    bigTable: (t: string) =>
      `drop table if exists ${t}; create table ${t} as select g as id, repeat(md5(g::text), 4) as pad from generate_series(1, 200000) g`,
  },
  mysql: {
    port: 3306,
    config: { engine: 'mysql', database: 'atrium_test', user: 'root', sslMode: 'disable' },
    sleep: (s: number) => `select sleep(${s})`,
    schema: 'atrium_test',
    bigTable: (t: string) =>
      `drop table if exists ${t}; create table ${t} as select seq as id, repeat(md5(seq), 4) as pad from seq_1_to_200000`,
  },
} as const;
export type FaultEngine = keyof typeof FAULT_ENGINES;

/** The transports whose driver speaks HTTP or WebSocket to a stand-in that dials the database. */
export const HTTP_TRANSPORTS = {
  'neon-http': 'postgres',
  'neon-ws': 'postgres',
  'planetscale-http': 'mysql',
} as const satisfies Record<string, FaultEngine>;
export type HttpTransport = keyof typeof HTTP_TRANSPORTS;

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
  const setup = await queryOn(client, conn, FAULT_ENGINES[engine].bigTable(table), 60_000);
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

/** One level of the synced schema tree (the tables of `schema`), as stored by the last good sync. */
export async function syncedTables(client: AtriumClient, conn: string, schema: string): Promise<unknown> {
  return client.json('GET', `/api/connections/${conn}/schema?schema=${encodeURIComponent(schema)}&limit=500`);
}

/**
 * Syncs once cleanly, then syncs again over a link slowed enough that introspection is still
 * running when `fault` strikes, and checks the faulted sync fails with a clear error and leaves
 * the stored schema as the clean sync left it (no partial snapshot becomes the head).
 */
export async function syncUnderFault(
  client: AtriumClient,
  conn: string,
  schema: string,
  link: { latencyMs: number; down: boolean; readonly openConnections: number },
  fault: () => unknown,
): Promise<void> {
  const sync = () => client.request('POST', `/api/connections/${conn}/sync`);
  expect((await sync()).status).toBe(200);
  const before = await syncedTables(client, conn, schema);
  link.latencyMs = 300;
  let res: Response;
  try {
    const pending = sync();
    await expect.poll(() => link.openConnections, { timeout: 10_000 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_000));
    await fault();
    res = await pending;
  } finally {
    link.latencyMs = 0;
    link.down = false;
  }
  // A broken session is told at once, not left to the sync's timeout.
  await expectCleanError(res, /upstream_error|connection_refused/);
  expect(await syncedTables(client, conn, schema)).toEqual(before);
  expect((await sync()).status).toBe(200);
}
