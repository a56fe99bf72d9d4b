/**
 * Live "schema changed": an ALTER on the user's database followed by a sync through the
 * API reaches every socket of the rooms whose document is linked to that connection,
 * and no other room.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaChanged } from '../../../durable-objects/protocol.ts';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../worker/engines/engine.ts';
import { eventually, newDocument, RawClient } from '../../durable-objects/room-client.ts';
import { createOrg, type TestUser } from '../../support/auth.ts';
import { CHINOOK_ID, SCRATCH } from '../../support/fixtures.ts';
import { saveConnection } from '../../support/team.ts';
import { sync } from './support.ts';

const schema = `evt_${crypto.randomUUID().slice(0, 8)}`;
const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
let owner: TestUser;
let engine: Engine;

beforeAll(async () => {
  ({ owner } = await createOrg());
  engine = createEngine({ ...SCRATCH.postgres, engine: 'postgres', password: null } as never, env);
  await engine.script(
    [`create schema ${q(schema)}`, `create table ${q(schema)}.thing (id int primary key)`].map((sql) => ({
      sql,
    })),
  );
});

afterAll(async () => {
  await engine.query(`drop schema if exists ${q(schema)} cascade`);
  await engine.close();
});

const schemaChanges = (client: RawClient) =>
  client.messages.filter((m): m is SchemaChanged => m.type === 'schema-changed');

describe('schema-changed events', () => {
  it('reach the sockets of rooms linked to the synced connection, and only those', async () => {
    const connectionId = await saveConnection(owner, `Events ${schema}`, SCRATCH.postgres);
    const [linked, otherConnection, unlinked] = await Promise.all([
      newDocument(owner.bearerHeaders, { title: 'Linked', connectionId }),
      newDocument(owner.bearerHeaders, { title: 'Demo', connectionId: CHINOOK_ID }),
      newDocument(owner.bearerHeaders, { title: 'No connection' }),
    ]);
    const clients = await Promise.all([
      RawClient.open(linked, owner.cookieHeaders),
      RawClient.open(linked, owner.bearerHeaders),
      RawClient.open(otherConnection, owner.cookieHeaders),
      RawClient.open(unlinked, owner.cookieHeaders),
    ]);
    const [a, b, demo, none] = clients;
    try {
      await eventually(
        () => clients.every((c) => c.messages.some((m) => m.type === 'welcome')),
        10_000,
        'join',
      );
      const first = await sync(owner, connectionId);
      expect(first.changed).toBe(false);

      await engine.query(`alter table ${q(schema)}.thing add column label text`);
      const second = await sync(owner, connectionId);
      expect(second.changed).toBe(true);

      await eventually(
        () => schemaChanges(a!).length > 0 && schemaChanges(b!).length > 0,
        15_000,
        'schema-changed on both linked sockets',
      );
      for (const client of [a!, b!]) {
        const [event] = schemaChanges(client);
        expect(event).toMatchObject({
          type: 'schema-changed',
          connectionId,
          snapshotId: second.snapshotId,
          changeId: second.changeId,
        });
        expect(event!.summary.columnsAdded).toBeGreaterThanOrEqual(1);
        expect(event!.syncedAt).toBe(second.syncedAt);
      }
      // Rooms are told in one settled fan-out: once the linked room has it, the others were never called.
      expect(schemaChanges(demo!)).toEqual([]);
      expect(schemaChanges(none!)).toEqual([]);
      // The first sync had no previous snapshot to differ from: it told nobody.
      expect(schemaChanges(a!).map((e) => e.changeId)).toEqual([second.changeId]);
    } finally {
      for (const c of clients) c.close();
    }
  }, 60_000);
});
