/**
 * The bench's geography mode (issue 17): the real Atrium Worker, unchanged, with every call to
 * its metadata (D1, Durable Objects, the Cache API) made to pay a simulated round trip, as if the
 * user's nearest Cloudflare location were far from D1's primary and from the objects. Built by
 * `wrangler dev` from a copy of wrangler.toml whose `main` is this file (bench/geo/config.ts);
 * never deployed, never in Atrium's bundle.
 *
 * Distances come from vars (milliseconds per round trip):
 *   GEO_D1_PRIMARY_MS  a D1 call that must reach the primary (every call outside a session, writes)
 *   GEO_D1_REPLICA_MS  a read through `withSession`, which a nearby replica may serve
 *   GEO_DO_MS          a Durable Object call (objects live where they were first used)
 *   GEO_CACHE_MS       the Cache API (local to the location)
 * Half of each trip is paid before the call and half after, like a request and its reply.
 *
 * `POST /__bench/cold` empties the isolate's caches (auth, connections, query settings, schema
 * reads and heads, dashboards, rate-limit leases), so the next request runs as in a freshly started isolate; the Cache
 * API, which outlives isolates, is kept.
 */
import { forgetAuth } from '../../worker/auth/auth-cache.ts';
import { forgetAllConnections } from '../../worker/connections/connection-cache.ts';
import { forgetDashboards } from '../../worker/connections/dashboard.ts';
import type { Env } from '../../worker/env.ts';
import worker from '../../worker/index.ts';
import { type Around, type CallInfo, counting, wrapBindings } from '../../worker/lib/round-trips.ts';
import { forgetLeases } from '../../worker/middleware/rate-lease.ts';
import { METADATA_BINDINGS } from '../../worker/middleware/server-timing.ts';
import { forgetQuerySettings } from '../../worker/queries/cache.ts';
import { forgetAllSchemas } from '../../worker/schema/cache.ts';

export * from '../../worker/index.ts';

interface GeoVars {
  GEO_D1_PRIMARY_MS?: string;
  GEO_D1_REPLICA_MS?: string;
  GEO_DO_MS?: string;
  GEO_CACHE_MS?: string;
}

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
const READ = /^\s*(select|with|pragma|explain)\b/i;

function distances(vars: GeoVars) {
  const ms = (v: string | undefined, fallback: number) =>
    v === undefined || v === '' ? fallback : Number(v);
  return {
    primary: ms(vars.GEO_D1_PRIMARY_MS, 150),
    replica: ms(vars.GEO_D1_REPLICA_MS, 20),
    object: ms(vars.GEO_DO_MS, 150),
    cache: ms(vars.GEO_CACHE_MS, 2),
  };
}

function distance(vars: GeoVars): Around {
  const d = distances(vars);
  const of = (info: CallInfo) => {
    if (info.binding === 'do') return d.object;
    if (info.binding === 'cache') return d.cache;
    // Only a session read may be served by a replica; every other D1 call goes to the primary.
    return info.session && READ.test(info.sql ?? '') ? d.replica : d.primary;
  };
  return async (info, call) => {
    const trip = of(info);
    await sleep(trip / 2);
    try {
      return await call();
    } finally {
      await sleep(trip / 2);
    }
  };
}

const far = new WeakMap<object, Env>();

/** The env with distance on its metadata bindings, once per env object (per-env caches keep hitting). */
function farEnv(env: Env): Env {
  let out = far.get(env);
  if (!out) {
    out = wrapBindings(env, distance(env as GeoVars), METADATA_BINDINGS);
    far.set(env, out);
    farCaches(distance(env as GeoVars));
  }
  return out;
}

/**
 * The Cache API is a global, not a binding: its two entry points are replaced once, so every
 * match/put/delete pays the location-local trip and is counted in the request's Server-Timing.
 */
function farCaches(around: Around): void {
  const both: Around = (info, call) => counting(info, () => around(info, call));
  const wrap = (cache: Cache): Cache =>
    ({
      match: (...a: Parameters<Cache['match']>) =>
        both({ binding: 'cache', op: 'match' }, () => cache.match(...a)),
      put: (...a: Parameters<Cache['put']>) => both({ binding: 'cache', op: 'put' }, () => cache.put(...a)),
      delete: (...a: Parameters<Cache['delete']>) =>
        both({ binding: 'cache', op: 'delete' }, () => cache.delete(...a)),
    }) as Cache;
  const storage = caches as unknown as { default: Cache; open(name: string): Promise<Cache> };
  const defaultCache = wrap(storage.default);
  const open = storage.open.bind(storage);
  Object.defineProperty(storage, 'default', { value: defaultCache, configurable: true });
  Object.defineProperty(storage, 'open', {
    value: async (name: string) => wrap(await open(name)),
    configurable: true,
  });
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    if (new URL(request.url).pathname === '/api/__bench/cold' && request.method === 'POST') {
      forgetAuth();
      forgetAllConnections();
      forgetQuerySettings();
      forgetAllSchemas();
      forgetDashboards();
      forgetLeases();
      return Response.json({ cold: true });
    }
    return worker.fetch(request, farEnv(env), ctx);
  },
} satisfies ExportedHandler<Env>;
