/**
 * Deleting an organization wipes its documents' Durable Object storage: D1 rows cascade,
 * room storage does not, so the route destroys every room before the org row goes.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { DocumentRoom } from '../../durable-objects/document-room.ts';
import { CloseCode } from '../../durable-objects/protocol.ts';
import { roomOf } from '../../worker/documents/rooms.ts';
import { api, createUser, jsonInit } from '../support/auth.ts';
import { eventually, newDocument, RawClient } from './room-client.ts';

/** Keys and user tables left in a room's storage (the platform's own `_cf_` tables excluded). */
const leftovers = (id: string) =>
  runInDurableObject(roomOf(env, id), async (_: DocumentRoom, state) => ({
    kv: (await state.storage.list()).size,
    tables: state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\'",
      )
      .toArray()
      .map((r) => r.name)
      .filter((name) => !name.startsWith('sqlite_')),
  }));

describe('deleting an organization', () => {
  it("destroys its document rooms' storage and closes their sockets, and only its own", async () => {
    const owner = await createUser({ name: 'Org Deleter' });
    const created = await api('/api/orgs', jsonInit('POST', { name: 'Doomed team' }, owner.cookieHeaders));
    expect(created.status).toBe(201);
    const org = await created.json<{ id: string }>();
    const activated = await api(`/api/orgs/${org.id}/activate`, {
      method: 'POST',
      headers: owner.cookieHeaders,
    });
    expect(activated.status).toBe(200);

    const doomed = await Promise.all([
      newDocument(owner.cookieHeaders, { title: 'Doomed A', sql: 'select 1;' }),
      newDocument(owner.cookieHeaders, { title: 'Doomed B', sql: 'select 2;' }),
    ]);
    const client = await RawClient.open(doomed[0]!, owner.cookieHeaders);
    await eventually(() => client.text === 'select 1;', 10_000, 'sync');
    client.doc.getText('sql').insert(0, '-- edited\n');
    await eventually(
      async () => (await roomOf(env, doomed[0]!).readContent()).sql === '-- edited\nselect 1;',
      10_000,
      'edit stored',
    );
    for (const id of doomed) expect((await leftovers(id)).kv).toBeGreaterThan(0);

    // A document of the user's other (personal) org must survive.
    const back = await api(`/api/orgs/${owner.orgId}/activate`, {
      method: 'POST',
      headers: owner.cookieHeaders,
    });
    expect(back.status).toBe(200);
    const kept = await newDocument(owner.cookieHeaders, { title: 'Kept', sql: 'select 3;' });

    const res = await api(`/api/orgs/${org.id}`, { method: 'DELETE', headers: owner.cookieHeaders });
    expect(res.status).toBe(200);
    for (const id of doomed) expect(await leftovers(id)).toEqual({ kv: 0, tables: [] });
    expect(await client.closed).toBe(CloseCode.Gone);
    expect((await roomOf(env, kept).readContent()).sql).toBe('select 3;');
    const rows = await env.DB.prepare('select count(*) as n from document where organization_id = ?')
      .bind(org.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  }, 60_000);
});
