import { cpus, totalmem } from 'node:os';
import { startLocalEndpoints } from '../dev/endpoints/index.ts';
import { startAppServer } from '../test/support/app-server.ts';
import { ensureDatasets } from '../test/support/datasets.ts';
import { AtriumClient } from '../test/support/http-client.ts';
import { type Row, writeReport } from './report.ts';
import { exportRows } from './rows/export.ts';
import { geoRows } from './rows/geo.ts';
import { httpRows } from './rows/http.ts';
import { mixedLoad } from './rows/load.ts';
import { pagingRows } from './rows/paging.ts';
import { queryRows } from './rows/query.ts';
import { roomRows } from './rows/rooms.ts';
import { sizeRows } from './rows/size.ts';
import { ensurePgDatabase, startReferenceWorker, userWorker } from './servers.ts';
import { round } from './stats.ts';

const full = process.argv.includes('--full');
const arg = (name: string, quick: number, big: number) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : full ? big : quick;
};
const P = {
  queryRuns: arg('query-runs', 100, 500),
  pagingRows: arg('paging-rows', 1_000_000, 2_000_000),
  pageSize: arg('page-size', 100, 200),
  exportRows: arg('export-rows', 200_000, 1_000_000),
  fanoutEdits: arg('fanout-edits', 20, 100),
  bigRoom: arg('big-room', 100, 100),
  idleRooms: arg('idle-rooms', 50, 200),
  httpSeconds: arg('http-seconds', 5, 20),
  loadSeconds: arg('load-seconds', 20, 60),
  geoRuns: arg('geo-runs', 20, 40),
};
// Geography mode's simulated round trips (ms); `--geo-d1-ms=150` etc. change them.
const GEO = {
  d1Primary: arg('geo-d1-ms', 150, 150),
  d1Replica: arg('geo-replica-ms', 20, 20),
  object: arg('geo-do-ms', 150, 150),
  cache: arg('geo-cache-ms', 2, 2),
  database: arg('geo-db-ms', 150, 150),
};

const rows: Row[] = [];
const failures: string[] = [];
// `--only=query,rooms`: just the sections whose names start with one of these words.
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');

async function section(name: string, fn: () => Promise<Row[]> | Row[]) {
  if (only && !only.some((o) => name.startsWith(o))) return;
  const started = performance.now();
  process.stdout.write(`▶ ${name} … `);
  try {
    // A stuck section is reported as failed instead of stalling the whole report.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const out = await Promise.race([
      Promise.resolve(fn()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out after 10 minutes')), 600_000);
      }),
    ]).finally(() => clearTimeout(timer));
    rows.push(...out);
    console.log(`done in ${round((performance.now() - started) / 1000, 1)} s`);
  } catch (err) {
    const cause = err instanceof Error && err.cause ? ` (${String(err.cause)})` : '';
    const message = err instanceof Error ? `${err.message}${cause}` : String(err);
    failures.push(`${name}: ${message}`);
    rows.push({
      id: `failed.${name}`,
      group: name,
      name: 'FAILED',
      unit: '',
      atrium: Number.NaN,
      note: message.slice(0, 200),
    });
    console.log(`FAILED: ${message.slice(0, 500)}`);
  }
}

// Sakila (MySQL rows) and Pagila must be loaded on a fresh machine too, as the tests do.
ensureDatasets();
const endpoints = await startLocalEndpoints();
const localEndpoints = JSON.stringify({
  neonHttp: endpoints.neonHttp,
  neonWs: endpoints.neonWs,
  planetscale: endpoints.planetscale,
});
// The benchmark is one user sending thousands of requests a minute: lift the per-user,
// per-connection and per-token limits that would rightly stop that in production.
const BENCH_LIMITS = {
  RATE_LIMIT_TOKEN: '1000000/60',
  QUERY_RATE_LIMIT_USER: '1000000/60',
  QUERY_RATE_LIMIT_CONNECTION: '1000000/60',
  QUERY_CONCURRENCY: '64',
};
const app = await startAppServer({ localEndpoints, vars: BENCH_LIMITS });
const reference = await startReferenceWorker({
  LOCAL_ENDPOINTS: localEndpoints,
  PG_URL: 'postgresql://postgres@127.0.0.1:5432/atrium_bench',
  MYSQL_USER: 'root',
  MYSQL_TARGET: '127.0.0.1:3306/sakila',
  MYSQL_URL: 'mysql://root@127.0.0.1:3306/sakila',
});
// Both sides are measured at their user worker, past wrangler's proxy (see userWorker).
const direct = await userWorker(app.processGroup, app.url, '/health');
const appPid = direct.pid;
const referenceDirect = await userWorker(reference.processGroup, reference.url, '/ping');
const BENCH_EMAIL = `bench-${Date.now()}@example.com`;
const BENCH_PASSWORD = 'bench password 123'; // AtriumClient.signUp's; the cookie row signs in with it
const client = await AtriumClient.signUp(direct.url, BENCH_EMAIL);

ensurePgDatabase('atrium_bench');
const local = { host: '127.0.0.1', user: 'postgres', sslMode: 'disable' };
// The Neon and PlanetScale rows name their transport (a loopback host would default to TCP);
// the TCP rows save the same databases again with `tcp`.
const pgSettings = { ...local, engine: 'postgres', port: 5432, database: 'atrium_bench' };
const mySettings = { ...local, engine: 'mysql', port: 3306, database: 'sakila', user: 'root' };
const pg = await client.createConnection({ ...pgSettings, name: 'bench postgres', transport: 'neon-http' });
const my = await client.createConnection({
  ...mySettings,
  name: 'bench mysql',
  transport: 'planetscale-http',
});
const pgTcp = await client.createConnection({ ...pgSettings, name: 'bench postgres tcp', transport: 'tcp' });
const myTcp = await client.createConnection({ ...mySettings, name: 'bench mysql tcp', transport: 'tcp' });

await section('size', () => sizeRows());

await section('query overhead', () =>
  queryRows({
    appUrl: direct.url,
    referenceUrl: referenceDirect.url,
    client,
    email: BENCH_EMAIL,
    password: BENCH_PASSWORD,
    pg,
    my,
    pgTcp,
    myTcp,
    runs: P.queryRuns,
  }),
);

await section('paging', () => pagingRows(client, pg, P));

await section('export', () =>
  exportRows({ client, pg, pgTcp, appPid, inspectorUrl: app.inspectorUrl, rows: P.exportRows }),
);

await section('rooms', () =>
  roomRows({
    client,
    wsBase: direct.url.replace('http', 'ws'),
    appPid,
    inspectorUrl: app.inspectorUrl,
    P,
  }),
);

await section('schema sync', async () => {
  const mod = (await import('./schema-sync.ts').catch(() => null)) as null | {
    schemaSyncRows: (ctx: { client: AtriumClient; full: boolean }) => Promise<Row[]>;
  };
  if (!mod) throw new Error('bench/schema-sync.ts is missing');
  return mod.schemaSyncRows({ client, full });
});

await section('http', async () => {
  const schemaPath = `/api/connections/${pg}/schema`;
  await client.request('POST', `/api/connections/${pg}/sync`);
  await (await client.request('GET', schemaPath)).arrayBuffer();
  return httpRows(
    direct.url,
    P.httpSeconds,
    [
      { name: 'GET /health', path: '/health' },
      { name: 'cached schema read', path: schemaPath, headers: client.headers },
    ],
    { name: 'bare Worker answering JSON', url: `${referenceDirect.url}/ping` },
  );
});

await section('load', async () => {
  const doc = await client.json<{ id: string }>('POST', '/api/documents', { title: 'load room' });
  return mixedLoad({
    seconds: P.loadSeconds,
    targets: [
      { name: 'GET /health', url: `${direct.url}/health`, connections: 4 },
      {
        name: 'cached schema read',
        url: `${direct.url}/api/connections/${pg}/schema`,
        headers: client.headers,
        connections: 4,
      },
      {
        name: 'POST query (SELECT 1)',
        url: `${direct.url}/api/connections/${pg}/query`,
        method: 'POST',
        headers: { ...client.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ sql: 'select 1' }),
        connections: 4,
      },
    ],
    room: {
      url: `${direct.url.replace('http', 'ws')}/parties/document/${doc.id}`,
      headers: client.headers,
      typists: 5,
    },
  });
});

await section('geo', () =>
  geoRows({
    localEndpoints,
    vars: BENCH_LIMITS,
    referenceUrl: referenceDirect.url,
    runs: P.geoRuns,
    distances: GEO,
  }),
);

reference.stop();
await app.stop();
await endpoints.close();

const md = writeReport(
  rows,
  {
    date: new Date().toISOString(),
    mode: full ? 'full' : 'quick',
    machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.version}`,
    parameters: { ...P, geo: GEO },
    rateLimits: BENCH_LIMITS,
    failures,
    // `--out=DIR` writes the report elsewhere (a partial run that must not replace bench/report.*).
  },
  process.argv.find((a) => a.startsWith('--out='))?.slice('--out='.length),
);
console.log(`\n${md}`);
if (failures.length)
  console.log(`\n${failures.length} benchmark section(s) failed:\n- ${failures.join('\n- ')}`);
process.exit(0);
