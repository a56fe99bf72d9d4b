import { evictDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../../durable-objects/protocol.ts';
import { roomOf } from '../../../worker/documents/rooms.ts';
import {
  connectProvider,
  eventually,
  newDocument,
  type ProviderClient,
} from '../../durable-objects/room-client.ts';
import { addMember, createUser, makeToken, revokeToken, type TestUser } from '../../support/auth.ts';

// Every YProvider registers a process 'exit' listener.
process.setMaxListeners(200);

let owner: TestUser;
let editor: TestUser;
const open: ProviderClient[] = [];

beforeAll(async () => {
  owner = await createUser();
  editor = await addMember(owner, 'editor', { name: 'Edd Editor' });
}, 60_000);

afterEach(() => {
  for (const c of open.splice(0)) c.destroy();
});

async function join(id: string, headers: Record<string, string>): Promise<ProviderClient> {
  const client = connectProvider(id, headers);
  open.push(client);
  await client.synced;
  return client;
}

describe('sockets opened with an API token', () => {
  it('close with 4401 as soon as the token is revoked; the member’s other sockets stay', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Revoke token' });
    const other = await newDocument(owner.cookieHeaders, { title: 'Other room' });
    const token = await makeToken(editor, { ceiling: 'editor' });
    const [byToken, elsewhere, byCookie, byOtherToken] = await Promise.all([
      join(id, token.headers),
      join(other, token.headers),
      join(id, editor.cookieHeaders),
      join(id, editor.bearerHeaders),
    ]);
    await revokeToken(editor, token.tokenId);
    // The revoke route has returned: the rooms were told, no waiting for a re-check.
    await eventually(() => byToken.closes.length > 0 && elsewhere.closes.length > 0, 5_000, 'closes');
    expect(byToken.closes[0]).toBe(CloseCode.TokenInvalid);
    expect(elsewhere.closes[0]).toBe(CloseCode.TokenInvalid);
    expect(byCookie.closes).toEqual([]);
    expect(byOtherToken.closes).toEqual([]);
    byCookie.text.insert(0, 'still here');
    await eventually(() => byOtherToken.text.toString() === 'still here', 10_000, 'room still serving');
  }, 30_000);

  it('close on the room’s own re-check when the token was revoked behind its back', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Re-check token' });
    const token = await makeToken(editor, { ceiling: 'editor' });
    const client = await join(id, token.headers);
    // Revoked in D1 only (no RPC): the next re-check of the socket must notice.
    await env.DB.prepare('update api_token set revoked_at = ? where id = ?')
      .bind(Date.now(), token.tokenId)
      .run();
    // The socket hibernates and the instance goes away: every socket is re-checked on its next frame.
    await evictDurableObject(roomOf(env, id));
    client.text.insert(0, 'after revoke');
    await eventually(() => client.closes.length > 0, 10_000, 'close after re-check');
    expect(client.closes[0]).toBe(CloseCode.TokenInvalid);
  }, 30_000);

  it('close at the token’s expiry even when the socket sends nothing', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Expire token' });
    const token = await makeToken(editor, { ceiling: 'editor', expiresAt: new Date(Date.now() + 3_000) });
    const client = await join(id, token.headers);
    const cookie = await join(id, editor.cookieHeaders);
    await eventually(() => client.closes.length > 0, 15_000, 'close at expiry');
    expect(client.closes[0]).toBe(CloseCode.TokenInvalid);
    expect(cookie.closes).toEqual([]);
  }, 30_000);
});
