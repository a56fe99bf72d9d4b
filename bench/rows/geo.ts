/**
 * Geography mode (issue 17): Atrium under `wrangler dev` with simulated distance on every
 * metadata call (bench/geo/entry.ts) and on the user's database (bench/geo/delay-proxy.ts), so
 * the report shows what a user far from D1's primary and from the Durable Objects would wait.
 * Per hot request, warm and cold isolate: the wall time and how many metadata round trips the
 * response waited for in sequence (from Server-Timing's `round-trips`, counted by the Worker).
 */
import WebSocket from 'ws';
import { startAppServer } from '../../test/support/app-server.ts';
import { AtriumClient } from '../../test/support/http-client.ts';
import { geoWranglerConfig } from '../geo/config.ts';
import { type DelayProxy, startDelayProxy } from '../geo/delay-proxy.ts';
import type { Row } from '../report.ts';
import { psql } from '../servers.ts';
import { round, summarize } from '../stats.ts';

export interface GeoDistances {
  /** Round trip to D1's primary, to a nearby replica, to a far Durable Object, to the Cache API. */
  d1Primary: number;
  d1Replica: number;
  object: number;
  cache: number;
  /** Round trip from the Worker to the user's database (both Atrium and the reference pay it). */
  database: number;
}

export interface GeoBench {
  localEndpoints: string;
  vars: Record<string, string>;
  referenceUrl: string;
  /** Samples per warm row (cold rows take half). */
  runs: number;
  distances: GeoDistances;
}

interface Sample {
  ms: number;
  sequential: number;
  calls: { d1: number; do: number; cache: number };
}

function roundTripsOf(serverTiming: string | null | undefined): Omit<Sample, 'ms'> {
  const desc = /round-trips;desc="([^"]*)"/.exec(serverTiming ?? '')?.[1];
  if (desc === undefined) throw new Error(`no round-trips entry in Server-Timing: ${serverTiming}`);
  const n = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(desc)?.[1] ?? Number.NaN);
  return { sequential: n('sequential'), calls: { d1: n('d1'), do: n('do'), cache: n('cache') } };
}

async function timedFetch(url: string, init: RequestInit): Promise<Sample> {
  const t = performance.now();
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  return { ms: performance.now() - t, ...roundTripsOf(res.headers.get('server-timing')) };
}

/** Time to an open document socket (the upgrade is where the Worker and the room do their work). */
async function timedJoin(url: string, headers: Record<string, string>): Promise<Sample> {
  const t = performance.now();
  const ws = new WebSocket(url, { headers });
  let timing: string | undefined;
  ws.once('upgrade', (res) => {
    timing = String(res.headers['server-timing'] ?? '');
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`room join: ${res.statusCode}`)));
  });
  const ms = performance.now() - t;
  ws.close();
  return { ms, ...roundTripsOf(timing) };
}

const median = (xs: number[]) => summarize(xs).median;

export async function geoRows(b: GeoBench): Promise<Row[]> {
  const d = b.distances;
  const proxy = await startDelayProxy({ host: '127.0.0.1', port: 5432 }, d.database);
  const app = await startAppServer({
    localEndpoints: b.localEndpoints,
    config: geoWranglerConfig(),
    vars: {
      ...b.vars,
      GEO_D1_PRIMARY_MS: String(d.d1Primary),
      GEO_D1_REPLICA_MS: String(d.d1Replica),
      GEO_DO_MS: String(d.object),
      GEO_CACHE_MS: String(d.cache),
    },
  });
  try {
    return await measure(b, app.url, proxy);
  } finally {
    await app.stop();
    await proxy.close();
  }
}

/** Runs `fn` and counts the database round trips it made, its connection's close included. */
async function withTurns<T>(proxy: DelayProxy, fn: () => Promise<T>): Promise<[T, number]> {
  const before = proxy.turns;
  const out = await fn();
  // The close is sent just after the response (both sides close after it): let it arrive.
  await new Promise((r) => setTimeout(r, 30));
  return [out, proxy.turns - before];
}

async function measure(b: GeoBench, appUrl: string, proxy: DelayProxy): Promise<Row[]> {
  const d = b.distances;
  const dbPort = proxy.port;
  const client = await AtriumClient.signUp(appUrl, `geo-${Date.now()}@example.com`);
  psql(
    'atrium_bench',
    'create table if not exists geo_rows as select g::bigint as id, md5(g::text) as v from generate_series(1, 1000) g',
  );
  psql(
    'atrium_bench',
    'alter table geo_rows drop constraint if exists geo_rows_pkey; alter table geo_rows add primary key (id)',
  );
  const pg = await client.createConnection({
    name: 'geo postgres',
    engine: 'postgres',
    host: '127.0.0.1',
    port: dbPort,
    database: 'atrium_bench',
    user: 'postgres',
    sslMode: 'disable',
  });
  await client.json('POST', `/api/connections/${pg}/sync`);
  const doc = await client.json<{ id: string }>('POST', '/api/documents', { title: 'geo room' });
  const headers = client.headers;
  const get = (path: string) => () => timedFetch(`${appUrl}${path}`, { headers });
  const hot: Array<{ id: string; name: string; run: () => Promise<Sample> }> = [
    {
      id: 'query.pg',
      name: 'query (Postgres SELECT 1, owner token)',
      run: () =>
        timedFetch(`${appUrl}/api/connections/${pg}/query`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ sql: 'select 1' }),
        }),
    },
    { id: 'schema', name: 'schema tree page', run: get(`/api/connections/${pg}/schema`) },
    {
      id: 'rows',
      name: 'table rows page (100 rows)',
      run: get(`/api/connections/${pg}/tables/public/geo_rows/rows?limit=100`),
    },
    { id: 'dashboard', name: 'dashboard load (GET /api/dashboard)', run: get('/api/dashboard') },
    { id: 'document', name: 'document open', run: get(`/api/documents/${doc.id}`) },
    {
      id: 'room',
      name: 'room join (WebSocket upgrade)',
      run: () => timedJoin(`${appUrl.replace('http', 'ws')}/parties/document/${doc.id}`, headers),
    },
  ];
  const reference = async () => {
    const t = performance.now();
    const res = await fetch(
      `${b.referenceUrl}/postgres-tcp?sql=${encodeURIComponent('select 1')}&port=${dbPort}`,
    );
    if (!res.ok) throw new Error(`reference ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return performance.now() - t;
  };
  const cold = () => fetch(`${appUrl}/api/__bench/cold`, { method: 'POST' }).then((r) => r.arrayBuffer());
  const setting = `simulated round trips: D1 primary ${d.d1Primary} ms, replica ${d.d1Replica} ms, Durable Object ${d.object} ms, Cache API ${d.cache} ms, user's database ${d.database} ms`;

  const out: Row[] = [];
  for (const h of hot) {
    for (const mode of ['warm', 'cold'] as const) {
      const n = mode === 'warm' ? b.runs : Math.max(5, Math.ceil(b.runs / 2));
      const withReference = h.id === 'query.pg';
      const samples: Sample[] = [];
      const direct: number[] = [];
      const turns = { atrium: [] as number[], direct: [] as number[] };
      // Warm-up, so a warm row starts with the isolate's caches and leases in place.
      for (let i = 0; i < 3; i++) {
        await h.run();
        if (withReference) await reference();
      }
      for (let i = 0; i < n; i++) {
        if (mode === 'cold') await cold();
        const [sample, t] = await withTurns(proxy, h.run);
        samples.push(sample);
        turns.atrium.push(t);
        if (withReference) {
          const [ms, rt] = await withTurns(proxy, reference);
          direct.push(ms);
          turns.direct.push(rt);
        }
      }
      const sequential = samples.map((s) => s.sequential);
      const roundTrips = {
        sequential: median(sequential),
        sequentialMax: Math.max(...sequential),
        d1: median(samples.map((s) => s.calls.d1)),
        do: median(samples.map((s) => s.calls.do)),
        cache: median(samples.map((s) => s.calls.cache)),
      };
      out.push({
        id: `geo.${h.id}.${mode}`,
        group: 'geography',
        name: `${h.name}, ${mode} isolate`,
        unit: 'ms',
        atrium: summarize(samples.map((s) => s.ms)),
        ...(withReference
          ? {
              reference: {
                name: "same driver (node-postgres over TCP) called directly from a Worker, same distance to the user's database",
                value: summarize(direct),
                alternated: true,
              },
              goal: { le: 1.2 },
            }
          : {}),
        roundTrips,
        databaseRoundTrips: {
          atrium: median(turns.atrium),
          ...(withReference ? { reference: median(turns.direct) } : {}),
        },
        note: `sequential metadata round trips ${round(roundTrips.sequential, 1)} (max ${roundTrips.sequentialMax}); calls d1 ${roundTrips.d1}, do ${roundTrips.do}, cache ${roundTrips.cache}; round trips to the user's database ${median(turns.atrium)}${withReference ? ` (reference ${median(turns.direct)})` : ''}; ${setting}`,
      });
    }
  }
  return out;
}
