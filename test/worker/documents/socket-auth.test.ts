import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../../durable-objects/protocol.ts';
import { disconnectUserFromOrgRooms } from '../../../worker/documents/rooms.ts';
import { loadMember, removeMember } from '../../../worker/orgs/members.ts';
import { eventually, newDocument, RawClient, upgrade } from '../../durable-objects/room-client.ts';
import { addMember, api, createUser, makeToken, revokeToken, type TestUser } from '../../support/auth.ts';

let owner: TestUser;
let viewer: TestUser;
let outsider: TestUser;
let documentId: string;

beforeAll(async () => {
  owner = await createUser();
  [viewer, outsider] = await Promise.all([addMember(owner, 'viewer'), createUser()]);
  documentId = await newDocument(owner.cookieHeaders, { title: 'Guarded', sql: 'select 1;' });
}, 60_000);

async function refused(headers: Record<string, string>, id = documentId): Promise<number> {
  const { res, ws } = await upgrade(id, headers);
  expect(ws).toBeNull();
  return res.status;
}

describe('authorization at the upgrade', () => {
  it('refuses an unauthenticated upgrade with 401 and no socket', async () => {
    expect(await refused({})).toBe(401);
    expect(await refused({ Cookie: 'better-auth.session_token=forged' })).toBe(401);
  });

  it('refuses revoked and expired tokens with 401', async () => {
    const revoked = await makeToken(owner, { ceiling: 'owner' });
    await revokeToken(owner, revoked.tokenId);
    expect(await refused(revoked.headers)).toBe(401);
    const expired = await makeToken(owner, { ceiling: 'owner', expiresAt: new Date(Date.now() - 60_000) });
    expect(await refused(expired.headers)).toBe(401);
  });

  it('answers 404 for a document of another organization or one that does not exist', async () => {
    expect(await refused(outsider.cookieHeaders)).toBe(404);
    expect(await refused(outsider.bearerHeaders)).toBe(404);
    expect(await refused(owner.cookieHeaders, 'no-such-document')).toBe(404);
  });

  it('refuses a cookie upgrade from a foreign origin (cross-site WebSocket hijacking)', async () => {
    expect(await refused({ ...owner.cookieHeaders, Origin: 'https://evil.example' })).toBe(403);
  });

  it('answers 426 to a plain GET and 404 to other parties', async () => {
    expect((await api(`/parties/document/${documentId}`, { headers: owner.cookieHeaders })).status).toBe(426);
    const other = await api('/parties/rate-limiter/anything', {
      headers: { Upgrade: 'websocket', ...owner.bearerHeaders },
    });
    expect(other.status).toBe(404);
    expect(other.webSocket).toBeNull();
  });

  it('admits a session cookie and an API token, with the role the token allows', async () => {
    const bySession = await RawClient.open(documentId, owner.cookieHeaders);
    const capped = await makeToken(owner, { ceiling: 'viewer' });
    const byToken = await RawClient.open(documentId, capped.headers);
    const byViewer = await RawClient.open(documentId, viewer.cookieHeaders);
    await eventually(
      () => [bySession, byToken, byViewer].every((c) => c.messages.some((m) => m.type === 'welcome')),
      10_000,
      'welcome messages',
    );
    const roleOf = (c: RawClient) => c.messages.find((m) => m.type === 'welcome');
    expect(roleOf(bySession)).toMatchObject({ role: 'owner', readOnly: false });
    expect(roleOf(byToken)).toMatchObject({ role: 'viewer', readOnly: true });
    expect(roleOf(byViewer)).toMatchObject({ role: 'viewer', readOnly: true });
    expect(bySession.text).toBe('select 1;');
    for (const c of [bySession, byToken, byViewer]) c.close();
  });

  it('a socket closed for a revoked member does not come back', async () => {
    const member = await addMember(owner, 'editor');
    const client = await RawClient.open(documentId, member.cookieHeaders);
    // What the member route does: delete the membership (and forget cached auth in this isolate).
    await removeMember(env.DB, (await loadMember(env.DB, owner.orgId, member.userId)).id);
    await disconnectUserFromOrgRooms(env, owner.orgId, member.userId);
    expect(await client.closed).toBe(CloseCode.Forbidden);
    // The session no longer acts in that organization: 403 (no org) or 404 (not in its org).
    expect([403, 404]).toContain(await refused(member.cookieHeaders));
    expect(await refused(member.bearerHeaders)).toBe(401);
  });
});
