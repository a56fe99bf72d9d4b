import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../../worker/env.ts';
import { inSession, isBookmark, sessionEnv } from '../../../worker/lib/d1-sessions.ts';
import { BOOKMARK_HEADER } from '../../../worker/middleware/d1-session.ts';
import { api, jsonInit } from '../../support/auth.ts';
import { createTeam, type Team } from '../../support/team.ts';

describe('session routing', () => {
  it("sends a request's statements to its session, and others to the binding", async () => {
    const routed = sessionEnv(env as unknown as Env, 'DB');
    const seen: string[] = [];
    const real = env.DB.withSession('first-unconstrained');
    const session = {
      prepare: (sql: string) => {
        seen.push(sql);
        return real.prepare(sql);
      },
      batch: real.batch.bind(real),
      getBookmark: () => real.getBookmark(),
    } as D1DatabaseSession;
    const inside = await inSession(session, () => routed.DB.prepare('select 1 as n').first<{ n: number }>());
    expect(inside?.n).toBe(1);
    expect(seen).toEqual(['select 1 as n']);
    await routed.DB.prepare('select 2 as n').first();
    expect(seen).toEqual(['select 1 as n']);
    // One routed object per env, so per-env caches (Better Auth's instance) keep hitting.
    expect(sessionEnv(env as unknown as Env, 'DB')).toBe(routed);
  });

  it('accepts only bookmark-shaped values', () => {
    expect(isBookmark('00000000-00000010-00000000-00000000000000000000000000000000')).toBe(true);
    for (const bad of ['', 'first-primary', "x'; drop", 'a'.repeat(300), undefined, null]) {
      expect(isBookmark(bad)).toBe(false);
    }
  });
});

describe('bookmarks across requests', () => {
  let team: Team;
  beforeAll(async () => {
    team = await createTeam();
  }, 60_000);

  const bookmarkOf = (res: Response) => res.headers.get(BOOKMARK_HEADER);

  it('hands back a newer bookmark after a write, and reads with it see the write', async () => {
    const headers = team.owner.bearerHeaders;
    const made = await api('/api/saved-queries', jsonInit('POST', { name: 'rw', sql: 'select 1' }, headers));
    expect(made.status).toBe(201);
    const first = bookmarkOf(made);
    expect(isBookmark(first)).toBe(true);
    const { id } = await made.json<{ id: string }>();

    const read = await api('/api/saved-queries', { headers: { ...headers, [BOOKMARK_HEADER]: first ?? '' } });
    expect(read.status).toBe(200);
    const { items } = await read.json<{ items: { id: string }[] }>();
    expect(items.map((q) => q.id)).toContain(id);

    const again = await api(
      '/api/saved-queries',
      jsonInit('POST', { name: 'rw2', sql: 'select 2' }, { ...headers, [BOOKMARK_HEADER]: first ?? '' }),
    );
    const second = bookmarkOf(again);
    // Bookmarks are fixed-width hex: a later one sorts after an earlier one.
    expect(second && first && second > first).toBe(true);
    expect(again.headers.get('set-cookie')).toContain('atrium.d1_bookmark=');
  });

  it('ignores a malformed bookmark instead of failing the request', async () => {
    const res = await api('/api/connections', {
      headers: { ...team.owner.bearerHeaders, [BOOKMARK_HEADER]: 'not a bookmark' },
    });
    expect(res.status).toBe(200);
  });
});
