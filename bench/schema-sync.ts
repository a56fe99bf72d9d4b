/**
 * Schema sync rows of `npm run bench`: `POST /api/connections/:id/sync` (introspect +
 * stage in D1 + flip) for Pagila and for a generated schema of N tables × 20 columns
 * with foreign keys, each beside `pg_dump --schema-only` of the same database on the
 * same machine (taking turns with it), plus the catalog queries and D1 statements one sync
 * costs. A re-sync of an unchanged schema reuses the stored rows, so the generated schema
 * also has a row for syncs that each follow a change (a table comment, made outside the
 * timing): those store every row and record a diff.
 *
 * Runs standalone too (starts its own Atrium): `node bench/schema-sync.ts [--full] [--schema-tables=N]`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AtriumClient } from '../test/support/http-client.ts';
import type { Row } from './report.ts';
import { ensurePgDatabase, psql } from './servers.ts';
import { round, summarize } from './stats.ts';

const GENERATED_DB = 'atrium_bench_schema';
const COLUMNS = 20;

interface SyncBody {
  tableCount: number;
  columnCount: number;
  queryCount: number;
  d1Statements: number;
  d1Batches: number;
  introspectMs: number;
  storeMs: number;
}

const argOf = (name: string, fallback: number) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
};

/** N tables in schema `gen`, each with an id, a foreign key to the previous table, 18 more columns and an index. */
export function ensureGeneratedSchema(tables: number): void {
  ensurePgDatabase(GENERATED_DB);
  const have = Number(
    psql(
      GENERATED_DB,
      "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'gen' and c.relkind = 'r'",
    ).trim(),
  );
  if (have === tables) return;
  const extra = Array.from({ length: COLUMNS - 2 }, (_, i) =>
    i % 3 === 0
      ? `c${i} integer not null default 0`
      : i % 3 === 1
        ? `c${i} text`
        : `c${i} timestamptz default now()`,
  ).join(', ');
  psql(GENERATED_DB, 'drop schema if exists gen cascade; create schema gen');
  // One transaction per 200 tables: thousands of CREATEs in one exhaust max_locks_per_transaction.
  for (let from = 1; from <= tables; from += 200) {
    const to = Math.min(tables, from + 199);
    psql(
      GENERATED_DB,
      `do $$ begin for i in ${from}..${to} loop
        execute format('create table gen.%I (id bigint primary key, parent_id bigint %s, ${extra})',
          't_' || lpad(i::text, 5, '0'),
          case when i > 1 then format('references gen.%I (id)', 't_' || lpad((i - 1)::text, 5, '0')) else '' end);
        execute format('create index on gen.%I (parent_id)', 't_' || lpad(i::text, 5, '0'));
      end loop; end $$;`,
    );
  }
}

function pgDumpMs(database: string): number {
  const started = performance.now();
  const r = spawnSync('pg_dump', [
    '-h',
    '127.0.0.1',
    '-U',
    'postgres',
    '--schema-only',
    '-d',
    database,
    '-f',
    '/dev/null',
  ]);
  if (r.status !== 0) throw new Error(`pg_dump ${database} failed: ${r.stderr}`);
  return performance.now() - started;
}

/**
 * A sync's cleanup (dropping the snapshot it replaced) runs after its response; this pause lets
 * it finish so that it lands on neither the next pg_dump nor the next sync.
 */
const SETTLE_MS = 500;

/**
 * `runs` turns of pg_dump then a sync, so both see the same machine (it is shared); `before(i)`
 * runs ahead of each turn, outside the timing.
 */
async function alternated(
  client: AtriumClient,
  path: string,
  database: string,
  runs: number,
  before: (i: number) => void = () => {},
) {
  const wall: number[] = [];
  const dump: number[] = [];
  const introspect: number[] = [];
  const store: number[] = [];
  let last: SyncBody | undefined;
  for (let i = 0; i < runs; i++) {
    before(i);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    dump.push(pgDumpMs(database));
    const started = performance.now();
    last = await client.json<SyncBody>('POST', path);
    wall.push(performance.now() - started);
    introspect.push(last.introspectMs);
    store.push(last.storeMs);
  }
  const phases = `median introspect ${round(summarize(introspect).median)} ms + D1 store ${round(summarize(store).median)} ms`;
  return { wall, dump: summarize(dump), phases, last: last! };
}

async function measure(
  client: AtriumClient,
  rowId: string,
  label: string,
  database: string,
  runs: number,
  /** A statement that changes the schema's structure, given the run's number; none for a shared dataset. */
  change?: (i: number) => string,
): Promise<Row[]> {
  const id = await client.createConnection({
    name: `bench schema ${label} ${Date.now()}`,
    engine: 'postgres',
    host: '127.0.0.1',
    port: 5432,
    database,
    user: 'postgres',
    sslMode: 'disable',
  });
  const path = `/api/connections/${encodeURIComponent(id)}/sync`;
  // Warm-ups: the first sync of this connection, and a pg_dump that brings the catalog into cache.
  await client.json<SyncBody>('POST', path);
  pgDumpMs(database);
  const same = await alternated(client, path, database, runs);
  const changed =
    change && (await alternated(client, path, database, runs, (i) => psql(database, change(i))));
  const { last } = same;
  const size = `${last.tableCount} relations, ${last.columnCount} columns`;
  return [
    {
      id: rowId,
      group: 'schema sync',
      name: `${label}: POST /sync, nothing changed since the last`,
      unit: 'ms',
      atrium: summarize(same.wall),
      reference: { name: 'pg_dump --schema-only', value: same.dump, alternated: true },
      goal: { le: 1 },
      note: `${size}; ${same.phases}`,
    },
    ...(changed
      ? [
          {
            id: `${rowId}.changed`,
            group: 'schema sync',
            name: `${label}: POST /sync after a change (a table comment)`,
            unit: 'ms',
            atrium: summarize(changed.wall),
            reference: { name: 'pg_dump --schema-only', value: changed.dump, alternated: true },
            goal: { le: 1 },
            note: `every row stored and a diff recorded; ${changed.phases}`,
          } satisfies Row,
        ]
      : []),
    {
      id: `${rowId}.queries`,
      group: 'schema sync',
      name: `${label}: catalog queries per sync`,
      unit: 'queries',
      atrium: last.queryCount,
      // The budget the introspectors were written to: a fixed number of catalog reads.
      reference: { name: 'budget: 10 catalog queries, whatever the table count', value: 10, constant: true },
      goal: { le: 1 },
      note: `plus ${last.d1Statements} D1 statements in ${last.d1Batches} batches${changed ? ` (${changed.last.d1Statements} in ${changed.last.d1Batches} after a change)` : ''}; queries constant in the number of tables`,
    },
  ];
}

/** Called by bench/run.ts. */
export async function schemaSyncRows(ctx: { client: AtriumClient; full: boolean }): Promise<Row[]> {
  const runs = argOf('schema-runs', ctx.full ? 10 : 3);
  const tables = argOf('schema-tables', 2000);
  ensureGeneratedSchema(tables);
  const rows = [
    ...(await measure(ctx.client, 'schema.sync.pagila', 'Pagila', 'pagila', runs)),
    ...(await measure(
      ctx.client,
      'schema.sync.2000',
      `generated ${tables} tables × ${COLUMNS} columns`,
      GENERATED_DB,
      runs,
      (i) => `comment on table gen.t_00001 is 'bench change ${i} ${Date.now()}'`,
    )),
  ];
  psql(GENERATED_DB, 'comment on table gen.t_00001 is null');
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { startLocalEndpoints } = await import('../dev/endpoints/index.ts');
  const { startAppServer } = await import('../test/support/app-server.ts');
  const { AtriumClient } = await import('../test/support/http-client.ts');
  const endpoints = await startLocalEndpoints();
  const app = await startAppServer({
    localEndpoints: JSON.stringify({
      neonHttp: endpoints.neonHttp,
      neonWs: endpoints.neonWs,
      planetscale: endpoints.planetscale,
    }),
  });
  try {
    const client = await AtriumClient.signUp(app.url);
    for (const row of await schemaSyncRows({ client, full: process.argv.includes('--full') })) {
      console.log(JSON.stringify(row));
    }
  } finally {
    await app.stop();
    await endpoints.close();
  }
}
