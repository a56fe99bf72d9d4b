import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { MAX_STATEMENT_CHARS, recordAudit } from '../../../worker/audit/index.ts';
import { addMember, api, createUser, jsonInit, makeToken } from '../../support/auth.ts';

interface Entry {
  id: number;
  action: string;
  actorId: string | null;
  target: string | null;
  outcome: string;
  statement: string | null;
  createdAt: string;
}
const page = async (path: string, headers: Record<string, string>) => {
  const res = await api(path, { headers });
  expect(res.status).toBe(200);
  return res.json<{ entries: Entry[]; nextCursor: string | null }>();
};

describe('audit log', () => {
  it('records sign-in success and failure, sign-out, tokens and membership changes', async () => {
    const owner = await createUser();
    await api(
      '/api/auth/sign-in/email',
      jsonInit('POST', { email: owner.email, password: 'wrong password!' }),
    );
    await api('/api/auth/sign-in/email', jsonInit('POST', { email: owner.email, password: owner.password }));
    const viewer = await addMember(owner, 'viewer');
    await api(
      `/api/orgs/${owner.orgId}/members/${viewer.userId}`,
      jsonInit('PATCH', { role: 'editor' }, owner.cookieHeaders),
    );
    await api(`/api/tokens/${owner.tokenId}`, { method: 'DELETE', headers: owner.cookieHeaders });
    await api(`/api/orgs/${owner.orgId}`, jsonInit('PATCH', { name: 'Renamed' }, owner.cookieHeaders));
    const { entries } = await page('/api/audit?limit=200', owner.cookieHeaders);
    const seen = entries.map((e) => `${e.action}:${e.outcome}`);
    for (const expected of [
      'auth.sign_up:success',
      'auth.sign_in:failure',
      'auth.sign_in:success',
      'token.create:success',
      'token.revoke:success',
      'invitation.create:success',
      'invitation.accept:success',
      'member.role_change:success',
      'org.update:success',
    ]) {
      expect(seen).toContain(expected);
    }
    // Newest first.
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort((a, b) => b - a));
  });

  it('filters by actor, action (exact or prefix), target and time, and paginates by cursor', async () => {
    const owner = await createUser();
    for (let i = 0; i < 5; i++) await makeToken(owner, { ceiling: 'viewer', name: `t${i}` });
    const byAction = await page('/api/audit?action=token.create', owner.cookieHeaders);
    expect(byAction.entries).toHaveLength(6); // the helper's own token + 5
    expect(byAction.entries.every((e) => e.action === 'token.create')).toBe(true);
    const byPrefix = await page('/api/audit?action=token.*', owner.cookieHeaders);
    expect(byPrefix.entries.length).toBe(6);
    const byActor = await page(
      `/api/audit?actor=${encodeURIComponent(owner.email)}&action=auth.*`,
      owner.cookieHeaders,
    );
    expect(byActor.entries.map((e) => e.action)).toEqual(['auth.sign_up']);
    const target = byAction.entries[0]!.target!;
    expect(
      (await page(`/api/audit?target=${encodeURIComponent(target)}`, owner.cookieHeaders)).entries,
    ).toHaveLength(1);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(
      (await page(`/api/audit?from=${encodeURIComponent(future)}`, owner.cookieHeaders)).entries,
    ).toEqual([]);
    expect(
      (await page(`/api/audit?to=${encodeURIComponent(future)}`, owner.cookieHeaders)).entries.length,
    ).toBeGreaterThan(0);

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const p: { entries: Entry[]; nextCursor: string | null } = await page(
        `/api/audit?action=token.create&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        owner.cookieHeaders,
      );
      seen.push(...p.entries.map((e) => e.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(seen).toEqual(byAction.entries.map((e) => e.id));
  });

  it('is only for admins and owners, and only for their org', async () => {
    const owner = await createUser();
    const admin = await addMember(owner, 'admin');
    const editor = await addMember(owner, 'editor');
    expect((await api('/api/audit', { headers: editor.cookieHeaders })).status).toBe(403);
    expect((await api('/api/audit', { headers: admin.bearerHeaders })).status).toBe(200);
    const other = await createUser();
    const { entries } = await page('/api/audit?limit=200', other.cookieHeaders);
    expect(entries.every((e) => e.actorId === other.userId)).toBe(true);
  });

  it('recordAudit caps statements and keeps query facts', async () => {
    const owner = await createUser();
    const statement = `select ${'x, '.repeat(5000)}1`;
    await recordAudit(env, {
      orgId: owner.orgId,
      actorId: owner.userId,
      action: 'query.execute',
      target: 'connection:demo',
      outcome: 'success',
      statement,
      durationMs: 12.6,
      rows: 3,
    });
    const { entries } = await page('/api/audit?action=query.execute', owner.cookieHeaders);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      target: 'connection:demo',
      durationMs: 13,
      rows: 3,
      outcome: 'success',
    });
    expect(entries[0]!.statement!.length).toBeLessThan(MAX_STATEMENT_CHARS + 50);
    expect(entries[0]!.statement).toMatch(/truncated \d+ chars\]$/);
  });

  it('has no API to change or delete entries', async () => {
    const owner = await createUser();
    for (const method of ['PATCH', 'PUT', 'DELETE', 'POST']) {
      const res = await api('/api/audit', { method, headers: owner.cookieHeaders });
      expect(res.status).toBe(404);
    }
  });
});
