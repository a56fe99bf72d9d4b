import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DocumentRoom } from '../../durable-objects/document-room.ts';
import { CloseCode, ROOM_LIMITS } from '../../durable-objects/protocol.ts';
import { UpdateLog } from '../../durable-objects/update-log.ts';
import { disconnectUserFromOrgRooms, roomOf } from '../../worker/documents/rooms.ts';
import { addMember, api, createUser, type TestUser } from '../support/auth.ts';
import {
  connectProvider,
  eventually,
  newDocument,
  type ProviderClient,
  prng,
  RawClient,
  randomEdit,
  tick,
} from './room-client.ts';

// Every YProvider registers a process 'exit' listener.
process.setMaxListeners(200);

let owner: TestUser;
let editor: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  owner = await createUser({ name: 'Olivia Owner' });
  [editor, viewer] = await Promise.all([
    addMember(owner, 'editor', { name: 'Edd Editor' }),
    addMember(owner, 'viewer', { name: 'Vic Viewer' }),
  ]);
}, 60_000);

const storedSql = async (id: string) => (await roomOf(env, id).readContent()).sql;

async function allConverged(clients: ProviderClient[], id: string): Promise<string> {
  let text = '';
  await eventually(
    async () => {
      text = clients[0]!.text.toString();
      if (!clients.every((c) => c.text.toString() === text)) return false;
      return (await storedSql(id)) === text;
    },
    30_000,
    'clients and storage to converge',
  );
  return text;
}

async function randomSession(count: number, editsEach: number, seed: number) {
  const id = await newDocument(owner.cookieHeaders, { title: `Random ${count}`, sql: 'select 1;' });
  const clients = Array.from({ length: count }, (_, i) =>
    connectProvider(id, i % 2 === 0 ? editor.cookieHeaders : owner.bearerHeaders, { name: `client ${i}` }),
  );
  try {
    await Promise.all(clients.map((c) => c.synced));
    await Promise.all(
      clients.map(async (client, i) => {
        const random = prng(seed + i);
        for (let n = 0; n < editsEach; n++) {
          randomEdit(client.text, random, `<${i}.${n}>`);
          await tick(Math.floor(random() * 5));
        }
      }),
    );
    const text = await allConverged(clients, id);
    expect(text.length).toBeGreaterThan(0);
  } finally {
    for (const c of clients) c.destroy();
  }
}

describe('convergence with the real Yjs provider', () => {
  it('two clients making random concurrent edits end identical and equal to storage', async () => {
    await randomSession(2, 40, 1);
  }, 60_000);

  it('fifty clients making random concurrent edits end identical and equal to storage', async () => {
    await randomSession(50, 6, 100);
  }, 180_000);
});

describe('durability', () => {
  it('keeps every edit when the object is evicted mid-session and clients reconnect', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Evict' });
    const clients = [0, 1, 2].map(() => connectProvider(id, editor.cookieHeaders));
    const markers: string[] = [];
    try {
      await Promise.all(clients.map((c) => c.synced));
      clients.forEach((c, i) => {
        for (let n = 0; n < 5; n++) {
          const marker = `[a${i}.${n}]`;
          markers.push(marker);
          c.text.insert(0, marker);
        }
      });
      await allConverged(clients, id);

      await evictDurableObject(roomOf(env, id), { webSockets: 'close' });
      // Edits made while the sockets are down arrive with the reconnect's sync step 2.
      clients.forEach((c, i) => {
        const marker = `[b${i}]`;
        markers.push(marker);
        c.text.insert(c.text.length, marker);
      });
      const text = await allConverged(clients, id);
      for (const marker of markers) expect(text).toContain(marker);
      expect(clients.every((c) => c.closes.length > 0)).toBe(true);
    } finally {
      for (const c of clients) c.destroy();
    }
  }, 60_000);

  it('stores an edit before relaying it: a relayed edit survives eviction without its author', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Ack' });
    const author = await RawClient.open(id, editor.cookieHeaders);
    const observer = await RawClient.open(id, owner.cookieHeaders);
    author.doc.getText('sql').insert(0, 'acknowledged edit');
    await eventually(() => observer.text === 'acknowledged edit', 10_000, 'relay');
    // The author leaves for good: nobody can re-send the edit, only storage has it.
    author.close();
    observer.close();
    await evictDurableObject(roomOf(env, id), { webSockets: 'close' });

    const late = await RawClient.open(id, viewer.cookieHeaders);
    await eventually(() => late.text === 'acknowledged edit', 10_000, 'reload from storage');
    expect(await storedSql(id)).toBe('acknowledged edit');
    late.close();
  }, 30_000);

  it('wakes from hibernation with each socket’s role intact', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Hibernate', sql: 'a' });
    const ed = await RawClient.open(id, editor.cookieHeaders);
    const view = await RawClient.open(id, viewer.cookieHeaders);
    await eventually(() => ed.text === 'a' && view.text === 'a', 10_000, 'initial sync');
    await evictDurableObject(roomOf(env, id)); // sockets hibernate, the instance goes away

    view.doc.getText('sql').insert(0, 'viewer ');
    ed.doc.getText('sql').insert(1, 'b');
    await eventually(() => view.text.endsWith('ab'), 10_000, 'editor edit after wake');
    expect(await storedSql(id)).toBe('ab');
    await eventually(() => view.messages.some((m) => m.type === 'refused'), 10_000, 'viewer refusal');
    expect(ed.text).toBe('ab');
    ed.close();
    view.close();
  }, 30_000);

  it('compacts the update log into a snapshot and reloads the same text', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Compact' });
    // Several writers so that no socket exceeds its message burst.
    const writers = await Promise.all([0, 1, 2, 3, 4].map(() => RawClient.open(id, editor.cookieHeaders)));
    const edits = UpdateLog.COMPACT_AFTER_UPDATES + 50;
    for (let i = 0; i < edits; i++) {
      const text = writers[i % writers.length]!.doc.getText('sql');
      text.insert(text.length, `${i % 10}`);
      if (i % 50 === 49)
        await eventually(async () => (await storedSql(id)).length === i + 1, 10_000, 'stored');
    }
    await eventually(async () => (await storedSql(id)).length === edits, 10_000, 'all stored');
    const counts = await runInDurableObject(roomOf(env, id), (_: DocumentRoom, state) => ({
      snapshot: state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM ydoc_snapshot').one().n,
      log: state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM ydoc_update').one().n,
    }));
    expect(counts.snapshot).toBeGreaterThan(0);
    expect(counts.log).toBeLessThan(UpdateLog.COMPACT_AFTER_UPDATES);
    const before = await storedSql(id);
    for (const w of writers) w.close();
    await evictDurableObject(roomOf(env, id), { webSockets: 'close' });
    const reader = await RawClient.open(id, viewer.cookieHeaders);
    await eventually(() => reader.text === before, 10_000, 'reload after compaction');
    expect(before).toHaveLength(edits);
    reader.close();
  }, 60_000);
});

describe('metadata mirror', () => {
  it('moves the document’s updatedAt in D1 after content edits', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Mirror' });
    const read = async () =>
      await (await api(`/api/documents/${id}`, { headers: owner.cookieHeaders })).json<{
        createdAt: string;
        updatedAt: string;
      }>();
    const before = await read();
    const client = await RawClient.open(id, editor.cookieHeaders);
    await tick(5);
    client.doc.getText('sql').insert(0, 'select now();');
    await eventually(async () => (await read()).updatedAt > before.updatedAt, 20_000, 'updatedAt to move');
    expect((await read()).createdAt).toBe(before.createdAt);
    client.close();
  }, 30_000);
});

describe('read-only viewers and presence', () => {
  it('refuses a viewer’s edit, which never reaches others, while the viewer’s awareness does', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Viewer', sql: 'select 1;' });
    const ed = await RawClient.open(id, editor.cookieHeaders);
    const view = await RawClient.open(id, viewer.bearerHeaders);
    await eventually(() => ed.text === 'select 1;' && view.text === 'select 1;', 10_000, 'initial sync');
    expect(view.messages.find((m) => m.type === 'welcome')).toMatchObject({ role: 'viewer', readOnly: true });

    view.doc.getText('sql').insert(0, 'drop table users; ');
    view.sendAwareness({ user: { name: 'Vic Viewer', color: '#0af' }, cursor: { anchor: 3, head: 3 } });
    await eventually(() => view.messages.some((m) => m.type === 'refused'), 10_000, 'refusal notice');
    await eventually(
      () =>
        [...ed.peers().values()].some(
          (s) => (s.user as { name?: string } | undefined)?.name === 'Vic Viewer',
        ),
      10_000,
      'viewer presence at the editor',
    );
    // The editor's own edit still flows to the viewer, and the viewer's never flowed anywhere.
    ed.doc.getText('sql').insert(ed.text.length, ' -- ok');
    await eventually(() => view.text.endsWith(' -- ok'), 10_000, 'editor edit at viewer');
    expect(ed.text).toBe('select 1; -- ok');
    expect(await storedSql(id)).toBe('select 1; -- ok');
    ed.close();
    view.close();
  }, 30_000);
});

describe('limits', () => {
  it('closes an oversized frame with 4400 and keeps serving the others', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Big frame' });
    const a = await RawClient.open(id, editor.cookieHeaders);
    const b = await RawClient.open(id, owner.cookieHeaders);
    a.send(new Uint8Array(ROOM_LIMITS.maxMessageBytes + 1));
    expect(await a.closed).toBe(CloseCode.MessageTooLarge);
    b.doc.getText('sql').insert(0, 'still here');
    const c = await RawClient.open(id, viewer.cookieHeaders);
    await eventually(() => c.text === 'still here', 10_000, 'room still serving');
    b.close();
    c.close();
  }, 30_000);

  it('closes a flooding socket with 4429 and keeps serving the others', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Flood' });
    const flooder = await RawClient.open(id, editor.cookieHeaders);
    const calm = await RawClient.open(id, owner.cookieHeaders);
    const other = await RawClient.open(id, viewer.cookieHeaders);
    for (let i = 0; i < ROOM_LIMITS.messageBurst * 4; i++) flooder.sendAwareness({ i });
    expect(await flooder.closed).toBe(CloseCode.RateLimited);
    calm.doc.getText('sql').insert(0, 'calm edit');
    await eventually(() => other.text === 'calm edit', 10_000, 'room still serving');
    expect(calm.closeCode).toBeNull();
    calm.close();
    other.close();
  }, 30_000);

  it('closes an edit that would grow the document past its limit with 4413', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Huge' });
    const writer = await RawClient.open(id, editor.cookieHeaders);
    const other = await RawClient.open(id, owner.cookieHeaders);
    const text = writer.doc.getText('sql');
    const chunk = 'x'.repeat(ROOM_LIMITS.maxMessageBytes / 2);
    const fits = Math.floor(ROOM_LIMITS.maxDocumentBytes / chunk.length) - 1;
    for (let i = 0; i < fits; i++) text.insert(text.length, chunk);
    await eventually(() => other.text.length === fits * chunk.length, 20_000, 'large but allowed');
    text.insert(text.length, chunk);
    text.insert(text.length, chunk);
    expect(await writer.closed).toBe(CloseCode.DocumentTooLarge);
    expect((await storedSql(id)).length).toBeLessThanOrEqual(ROOM_LIMITS.maxDocumentBytes);
    expect(other.closeCode).toBeNull();
    other.close();
  }, 60_000);

  it('refuses the socket after maxConnections with 4409', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Full' });
    const clients: RawClient[] = [];
    for (let i = 0; i < ROOM_LIMITS.maxConnections; i++) {
      clients.push(await RawClient.open(id, i % 2 ? editor.bearerHeaders : owner.bearerHeaders));
    }
    const extra = await RawClient.open(id, viewer.bearerHeaders);
    expect(await extra.closed).toBe(CloseCode.RoomFull);
    expect(clients.every((c) => c.closeCode === null)).toBe(true);
    for (const c of clients) c.close();
  }, 120_000);
});

describe('membership changes and deletion', () => {
  it('disconnects a revoked member with 4403 and leaves everyone else connected', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Revoke' });
    const leaving = await addMember(owner, 'editor');
    const a = await RawClient.open(id, leaving.cookieHeaders);
    const b = await RawClient.open(id, leaving.bearerHeaders);
    const stays = await RawClient.open(id, editor.cookieHeaders);
    expect(await disconnectUserFromOrgRooms(env, owner.orgId, leaving.userId)).toBe(2);
    expect(await a.closed).toBe(CloseCode.Forbidden);
    expect(await b.closed).toBe(CloseCode.Forbidden);
    expect(stays.closeCode).toBeNull();
    stays.close();
  }, 30_000);

  it('deleting a document closes its sockets with 4410 and wipes its storage', async () => {
    const id = await newDocument(owner.cookieHeaders, { title: 'Delete me', sql: 'select 1;' });
    const client = await RawClient.open(id, editor.cookieHeaders);
    await eventually(() => client.text === 'select 1;', 10_000, 'sync');
    const res = await api(`/api/documents/${id}`, { method: 'DELETE', headers: owner.cookieHeaders });
    expect(res.status).toBe(204);
    expect(await client.closed).toBe(CloseCode.Gone);
    const keys = await runInDurableObject(roomOf(env, id), async (_: DocumentRoom, state) => ({
      kv: (await state.storage.list()).size,
      tables: state.storage.sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\'",
        )
        .toArray()
        .map((r) => r.name)
        .filter((name) => !name.startsWith('sqlite_')),
    }));
    expect(keys).toEqual({ kv: 0, tables: [] });
  }, 30_000);
});
