/**
 * GET /api/dashboard (worker/connections/dashboard.ts): the first screen in one call, kept in
 * the isolate for up to 10 s. A warm call waits for no D1 round trip; a connection created,
 * renamed, tested or deleted, or a query recorded, in this isolate shows at once (a stale list
 * would fail here).
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../../worker/env.ts';
import { recordExecution } from '../../../worker/queries/history.ts';
import { api, createOrg, jsonInit, type TestUser } from '../../support/auth.ts';
import { CHINOOK_ID, connectionPath, SCRATCH } from '../../support/fixtures.ts';
import { saveConnection } from '../../support/team.ts';

interface DashboardBody {
  connections: { id: string; name: string; status: { state: string } }[];
  recent: { id: string; metrics: { windowMinutes: number; total: number } | null }[];
  windowMinutes: number;
}

let owner: TestUser;

const sequential = (res: Response) =>
  Number(/sequential=(\d+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? Number.NaN);

async function read(user = owner): Promise<{ body: DashboardBody; waited: number }> {
  const res = await api('/api/dashboard', { headers: user.bearerHeaders });
  expect(res.status).toBe(200);
  return { body: await res.json<DashboardBody>(), waited: sequential(res) };
}

const names = (b: DashboardBody) => b.connections.map((c) => c.name);

beforeAll(async () => {
  ({ owner } = await createOrg());
});

describe('dashboard', () => {
  it('lists connections with the recent ones’ 24 h metrics, warm without waiting for D1', async () => {
    const first = await read();
    expect(first.body.windowMinutes).toBe(24 * 60);
    expect(first.body.connections.map((c) => c.id)).toContain(CHINOOK_ID);
    const ids = new Set(first.body.connections.map((c) => c.id));
    expect(first.body.recent.length).toBeGreaterThan(0);
    for (const r of first.body.recent) {
      expect(ids.has(r.id)).toBe(true);
      expect(r.metrics?.windowMinutes).toBe(24 * 60);
    }
    const warm = await read();
    expect(warm.waited).toBe(0);
    expect(warm.body).toEqual(first.body);
  });

  it('shows a connection created, renamed and deleted in this isolate at once', async () => {
    await read();
    const name = `Dash ${crypto.randomUUID().slice(0, 8)}`;
    const id = await saveConnection(owner, name, SCRATCH.postgres);
    expect(names((await read()).body)).toContain(name);

    const renamed = `${name} renamed`;
    const patch = await api(connectionPath(id), jsonInit('PATCH', { name: renamed }, owner.bearerHeaders));
    expect(patch.status).toBe(200);
    const afterRename = names((await read()).body);
    expect(afterRename).toContain(renamed);
    expect(afterRename).not.toContain(name);

    const del = await api(connectionPath(id), { method: 'DELETE', headers: owner.bearerHeaders });
    expect(del.status).toBeLessThan(300);
    expect((await read()).body.connections.map((c) => c.id)).not.toContain(id);
  });

  it('shows a test result recorded in this isolate at once', async () => {
    const before = (await read()).body.connections.find((c) => c.id === CHINOOK_ID);
    expect(before?.status.state).toBe('untested');
    const test = await api(connectionPath(CHINOOK_ID, '/test'), jsonInit('POST', {}, owner.bearerHeaders));
    expect(test.status).toBe(200);
    const after = (await read()).body.connections.find((c) => c.id === CHINOOK_ID);
    expect(after?.status.state).toBe('ok');
  });

  it('shows a query recorded in this isolate in the metrics at once', async () => {
    const total = async () =>
      (await read()).body.recent.find((r) => r.id === CHINOOK_ID)?.metrics?.total ?? Number.NaN;
    const before = await total();
    // The query pipeline records after its response; awaiting the record itself keeps this exact.
    await recordExecution(env as unknown as Env, {
      auth: { userId: owner.userId, email: owner.email, orgId: owner.orgId, role: 'owner', via: 'token' },
      connectionId: CHINOOK_ID,
      kind: 'query',
      statement: 'select 1',
      statementCount: 1,
      readOnly: true,
      startedAt: Date.now(),
      durationMs: 3,
      rowCount: 1,
      outcome: 'ok',
    });
    expect(await total()).toBe(before + 1);
  });

  it('is per organization', async () => {
    const other = await createOrg();
    const mine = `Mine ${crypto.randomUUID().slice(0, 8)}`;
    await saveConnection(owner, mine, SCRATCH.postgres);
    expect(names((await read()).body)).toContain(mine);
    expect(names((await read(other.owner)).body)).not.toContain(mine);
  });
});
