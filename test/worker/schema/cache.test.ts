/**
 * The isolate's copy of a schema head (worker/schema/cache.ts): a warm schema read waits for
 * no D1 round trip, and a sync or a change to the connection in this isolate is seen at once
 * (the copy may be 10 s old otherwise, so a stale answer here would fail these tests).
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../worker/engines/engine.ts';
import { api, createOrg, jsonInit, type TestUser } from '../../support/auth.ts';
import { connectionPath, SCRATCH } from '../../support/fixtures.ts';
import { saveConnection } from '../../support/team.ts';
import { sync } from './support.ts';

const schema = `hcache_${crypto.randomUUID().slice(0, 8)}`;
const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
let owner: TestUser;
let engine: Engine;
let connectionId: string;

/** `sequential=N` of the response's Server-Timing: D1/DO/Cache round trips it waited for in turn. */
const sequential = (res: Response) =>
  Number(/sequential=(\d+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? Number.NaN);

async function tables(): Promise<{ names: string[]; waited: number }> {
  const res = await api(connectionPath(connectionId, `/schema?schema=${encodeURIComponent(schema)}`), {
    headers: owner.bearerHeaders,
  });
  expect(res.status).toBe(200);
  const body = await res.json<{ items: { name: string }[] }>();
  return { names: body.items.map((t) => t.name).sort(), waited: sequential(res) };
}

beforeAll(async () => {
  ({ owner } = await createOrg());
  engine = createEngine({ ...SCRATCH.postgres, engine: 'postgres', password: null } as never, env);
  await engine.script(
    [`create schema ${q(schema)}`, `create table ${q(schema)}.first (id int primary key)`].map((sql) => ({
      sql,
    })),
  );
  connectionId = await saveConnection(owner, `Head cache ${schema}`, SCRATCH.postgres);
  await sync(owner, connectionId);
});

afterAll(async () => {
  await engine.query(`drop schema if exists ${q(schema)} cascade`);
  await engine.close();
});

describe('schema head cache', () => {
  it('answers a warm schema page without waiting for D1', async () => {
    await tables();
    const warm = await tables();
    expect(warm.names).toEqual(['first']);
    expect(warm.waited).toBe(0);
  });

  it('shows a sync made in this isolate at once', async () => {
    expect((await tables()).names).toEqual(['first']);
    await engine.query(`create table ${q(schema)}.second (id int primary key)`);
    await sync(owner, connectionId);
    expect((await tables()).names).toEqual(['first', 'second']);
  });

  it('forgets a deleted connection at once', async () => {
    const doomed = await saveConnection(owner, `Head cache doomed ${schema}`, SCRATCH.postgres);
    await sync(owner, doomed);
    const path = connectionPath(doomed, `/schema?schema=${encodeURIComponent(schema)}`);
    expect((await api(path, { headers: owner.bearerHeaders })).status).toBe(200);
    const deleted = await api(connectionPath(doomed), { method: 'DELETE', headers: owner.bearerHeaders });
    expect(deleted.status).toBeLessThan(300);
    expect((await api(path, { headers: owner.bearerHeaders })).status).toBe(404);
  });

  it('forgets a renamed connection at once (the name names exports)', async () => {
    await tables();
    const renamed = `Renamed ${schema}`;
    const res = await api(
      connectionPath(connectionId),
      jsonInit('PATCH', { name: renamed }, owner.bearerHeaders),
    );
    expect(res.status).toBe(200);
    const ddl = await api(connectionPath(connectionId, '/schema/export?format=json'), {
      headers: owner.bearerHeaders,
    });
    expect(ddl.status).toBe(200);
    expect(ddl.headers.get('content-disposition')).toContain(encodeURIComponent(renamed));
  });
});
