/**
 * The room's own count of stored updates (`stats().updatesStored`, GET /api/documents/{id}/stats):
 * exactly one per accepted edit, nothing for a refused or duplicate one, and unchanged by
 * compaction and eviction. The load test relies on this count being exact.
 */
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocumentRoom } from '../../durable-objects/document-room.ts';
import { UpdateLog } from '../../durable-objects/update-log.ts';
import { roomOf } from '../../worker/documents/rooms.ts';
import { addMember, createUser, type TestUser } from '../support/auth.ts';
import { eventually, newDocument, RawClient } from './room-client.ts';

let owner: TestUser;
let editor: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  owner = await createUser({ name: 'Stella Stats' });
  [editor, viewer] = await Promise.all([addMember(owner, 'editor'), addMember(owner, 'viewer')]);
}, 60_000);

const stored = async (id: string) => (await roomOf(env, id).stats()).updatesStored;

describe('the room’s count of stored updates', () => {
  it('goes up by one per accepted edit and not for a refused or a duplicate one', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Count', sql: 'select 1;' });
    const ed = await RawClient.open(id, editor.cookieHeaders);
    const view = await RawClient.open(id, viewer.cookieHeaders);
    await eventually(() => ed.text === 'select 1;' && view.text === 'select 1;', 10_000, 'initial sync');
    // The initial text is one update; joining with an empty document stores nothing.
    expect(await roomOf(env, id).stats()).toEqual({ updatesStored: 1, sockets: 2 });

    const text = ed.doc.getText('sql');
    for (let i = 0; i < 7; i++) text.insert(text.length, ` -- ${i}`);
    await eventually(() => view.text === ed.text, 10_000, 'edits relayed');
    expect(await stored(id)).toBe(1 + 7);

    view.doc.getText('sql').insert(0, 'drop table users; ');
    await eventually(() => view.messages.some((m) => m.type === 'refused'), 10_000, 'refusal');
    // The editor's whole state again: every struct in it is already stored, so it changes nothing.
    ed.sendUpdate(Y.encodeStateAsUpdate(ed.doc));
    // A socket's frames are handled in order: once this edit is relayed, the duplicate was handled.
    text.insert(text.length, ' -- last');
    await eventually(() => view.text.endsWith(' -- last'), 10_000, 'last edit relayed');
    expect(await stored(id)).toBe(1 + 8);
    ed.close();
    view.close();
  }, 30_000);

  it('keeps the count across compaction and eviction', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Compacted count' });
    const writer = await RawClient.open(id, editor.cookieHeaders);
    const reader = await RawClient.open(id, owner.cookieHeaders);
    const text = writer.doc.getText('sql');
    // Large edits pass COMPACT_AFTER_BYTES in a few updates, then a few small ones follow.
    const chunk = 'x'.repeat(200 * 1024);
    const large = Math.ceil(UpdateLog.COMPACT_AFTER_BYTES / chunk.length) + 1;
    for (let i = 0; i < large; i++) text.insert(text.length, chunk);
    for (let i = 0; i < 3; i++) text.insert(text.length, `${i}`);
    const edits = large + 3;
    await eventually(() => reader.text.length === text.length, 20_000, 'edits relayed');
    const rows = await runInDurableObject(roomOf(env, id), (_: DocumentRoom, state) => ({
      snapshot: state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM ydoc_snapshot').one().n,
      log: state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM ydoc_update').one().n,
    }));
    expect(rows.snapshot).toBeGreaterThan(0);
    expect(rows.log).toBeLessThan(edits);
    expect(await stored(id)).toBe(edits);

    writer.close();
    reader.close();
    await evictDurableObject(roomOf(env, id), { webSockets: 'close' });
    expect(await roomOf(env, id).stats()).toEqual({ updatesStored: edits, sockets: 0 });
  }, 60_000);
});
