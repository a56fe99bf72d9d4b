import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { forgetAuth } from '../../../worker/auth/auth-cache.ts';
import { forgetAllConnections } from '../../../worker/connections/connection-cache.ts';
import { forgetDashboards } from '../../../worker/connections/dashboard.ts';
import {
  counting,
  countRoundTrips,
  RoundTrips,
  uncounted,
  wrapBindings,
  wrapD1,
} from '../../../worker/lib/round-trips.ts';
import { forgetLeases } from '../../../worker/middleware/rate-lease.ts';
import { METADATA_BINDINGS } from '../../../worker/middleware/server-timing.ts';
import { forgetQuerySettings } from '../../../worker/queries/cache.ts';
import { forgetAllSchemas } from '../../../worker/schema/cache.ts';
import { api, jsonInit } from '../../support/auth.ts';
import { createTeam, query, type Team } from '../../support/team.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
const trip = (trips: RoundTrips, ms = 5) => trips.track({ binding: 'd1', op: 'all' }, () => tick(ms));

/** `round-trips;desc="sequential=N d1=N do=N cache=N"` from a response's Server-Timing. */
function roundTripsOf(res: Response): Record<string, number> {
  const desc = /round-trips;desc="([^"]*)"/.exec(res.headers.get('server-timing') ?? '')?.[1];
  if (desc === undefined) throw new Error(`no round-trips in ${res.headers.get('server-timing')}`);
  return Object.fromEntries(desc.split(' ').map((kv) => [kv.split('=')[0], Number(kv.split('=')[1])]));
}

describe('RoundTrips', () => {
  it('counts calls sent together as one sequential trip and calls in turn as two', async () => {
    const together = new RoundTrips();
    await Promise.all([trip(together), trip(together), trip(together)]);
    expect(together.sequential).toBe(1);
    expect(together.calls.d1).toBe(3);

    const inTurn = new RoundTrips();
    await trip(inTurn);
    await trip(inTurn);
    expect(inTurn.sequential).toBe(2);
  });

  it('stops counting at the response, and never counts work started outside the tally', async () => {
    const trips = new RoundTrips();
    const db = wrapD1(env.DB, (info, call) => trips.track(info, call));
    await db.prepare('select 1').all();
    trips.freeze();
    await db.prepare('select 2').all();
    expect(trips.header()).toBe('round-trips;desc="sequential=1 d1=1 do=0 cache=0"');

    const scoped = new RoundTrips();
    const counted = wrapBindings(env, counting, METADATA_BINDINGS);
    await countRoundTrips(scoped, async () => {
      await counted.DB.prepare('select 1').all();
      await uncounted(() => counted.DB.prepare('select 2').all());
    });
    expect(scoped.calls.d1).toBe(1);
    // A user's database (the demo) is the engine's business, not metadata.
    expect(counted.DEMO_DB).toBe(env.DEMO_DB);
  });

  it('keeps D1 batches working through wrapped statements', async () => {
    const trips = new RoundTrips();
    const db = wrapD1(env.DB, (info, call) => trips.track(info, call));
    const [a, b] = await db.batch([db.prepare('select ? as n').bind(1), db.prepare('select 2 as n')]);
    expect(a?.results).toEqual([{ n: 1 }]);
    expect(b?.results).toEqual([{ n: 2 }]);
    expect(trips.calls.d1).toBe(1);
  });

  it('tells a batch of bound reads by its SQL (a session batch of reads may go to a replica)', async () => {
    const seen: (string | undefined)[] = [];
    const db = wrapD1(env.DB, (info, call) => {
      seen.push(info.sql);
      return call();
    });
    await db.batch([db.prepare('select ? as n').bind(1), db.prepare('select ? as m').bind(2)]);
    expect(seen).toEqual(['select ? as n;select ? as m']);
  });
});

/** What a fresh isolate holds: nothing (the bench's cold mode empties the same caches). */
function forgetEverything() {
  forgetAuth();
  forgetAllConnections();
  forgetQuerySettings();
  forgetAllSchemas();
  forgetLeases();
}

describe('Server-Timing round trips', () => {
  let team: Team;
  beforeAll(async () => {
    team = await createTeam();
  }, 60_000);

  it('reports zero sequential metadata round trips on a warm query, and the cold ones before it', async () => {
    const cold = await query(team.owner, team.connections.pagila, { sql: 'select 1' });
    expect(cold.status).toBe(200);
    // The first request of a fresh token reads it from D1 at least once.
    expect(roundTripsOf(cold).sequential).toBeGreaterThanOrEqual(1);
    expect(roundTripsOf(cold).d1).toBeGreaterThanOrEqual(1);
    // Auth context, connection, query settings and rate-limit leases now live in the isolate,
    // and history/audit are written after the response.
    for (let i = 0; i < 3; i++) {
      const warm = await query(team.owner, team.connections.pagila, { sql: 'select 1' });
      expect(warm.status).toBe(200);
      expect(roundTripsOf(warm)).toEqual({ sequential: 0, d1: 0, do: 0, cache: 0 });
    }
  });

  it('makes a cold isolate wait for one metadata round trip before a query (one D1 batch)', async () => {
    forgetEverything();
    const cold = await query(team.owner, team.connections.pagila, { sql: 'select 1' });
    expect(cold.status).toBe(200);
    // Token, membership, connection row, query settings and schema head in one batch; the
    // rate-limit leases are fetched beside the request, not waited for.
    expect(roundTripsOf(cold)).toEqual({ sequential: 1, d1: 1, do: 0, cache: 0 });
    const warm = await query(team.owner, team.connections.pagila, { sql: 'select 1' });
    expect(roundTripsOf(warm)).toEqual({ sequential: 0, d1: 0, do: 0, cache: 0 });
  });

  it('opens a document and the dashboard on a cold isolate with the auth read batched in', async () => {
    const created = await api(
      '/api/documents',
      jsonInit('POST', { title: 'trips' }, team.owner.bearerHeaders),
    );
    expect(created.status).toBe(201);
    const { id } = await created.json<{ id: string }>();
    forgetEverything();
    const open = await api(`/api/documents/${id}`, { headers: team.owner.bearerHeaders });
    expect(open.status).toBe(200);
    // The token and the document's row in one D1 batch, then the room's content.
    expect(roundTripsOf(open)).toEqual({ sequential: 2, d1: 1, do: 1, cache: 0 });

    forgetEverything();
    forgetDashboards();
    const dashboard = await api('/api/dashboard', { headers: team.owner.bearerHeaders });
    expect(dashboard.status).toBe(200);
    // The token with the connection list, then every recent connection's metrics together.
    expect(roundTripsOf(dashboard).sequential).toBe(2);
  });

  it("reads a cookie session's membership and the connection in one batch after Better Auth's session read", async () => {
    forgetEverything();
    const cold = await query(
      { ...team.owner, bearerHeaders: team.owner.cookieHeaders },
      team.connections.pagila,
      {
        sql: 'select 1',
      },
    );
    expect(cold.status).toBe(200);
    // Better Auth reads the session, then its user; then one batch: the membership (active or
    // oldest org) with the connection, its settings and its schema head. No limiter call waited for.
    expect(roundTripsOf(cold)).toEqual({ sequential: 3, d1: 3, do: 0, cache: 0 });
  });

  it('counts the trips of an uncached read', async () => {
    const res = await api('/api/connections', { headers: team.owner.bearerHeaders });
    expect(res.status).toBe(200);
    expect(roundTripsOf(res).d1).toBeGreaterThanOrEqual(1);
  });
});
