import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AtriumClient } from '../../test/support/http-client.ts';
import { measureFanout, RoomClient } from '../../test/support/yjs-client.ts';
import type { Row } from '../report.ts';
import { rssMiB, spawnReferenceYjsServer } from '../servers.ts';
import { summarize } from '../stats.ts';

/**
 * Rooms: edit fan-out against a Node Yjs server that stores each update before relaying (the
 * fair reference) and one that stores nothing (the floor), taking turns edit by edit; then the
 * memory of idle rooms, each process read the same way.
 */
export async function roomRows({
  client,
  wsBase,
  appPid,
  P,
}: {
  client: AtriumClient;
  /** The user worker's own address (ws://), past wrangler's proxy. */
  wsBase: string;
  /** The user worker's workerd process. */
  appPid: number;
  P: { bigRoom: number; fanoutEdits: number; idleRooms: number };
}): Promise<Row[]> {
  const out: Row[] = [];
  const stateDir = mkdtempSync(join(tmpdir(), 'atrium-bench-yjs-'));
  const ref = await spawnReferenceYjsServer(join(stateDir, 'updates.sqlite'));
  const floor = await spawnReferenceYjsServer();
  for (const n of [10, P.bigRoom]) {
    const doc = await client.json<{ id: string }>('POST', '/api/documents', {
      title: `bench room ${n}`,
    });
    const [atrium, stored, plain] = await measureFanout(
      [
        () => RoomClient.connect(`${wsBase}/parties/document/${doc.id}`, client.headers),
        () => RoomClient.connect(`${ref.url}/room-${n}`),
        () => RoomClient.connect(`${floor.url}/room-${n}`),
      ],
      n,
      P.fanoutEdits,
    );
    const fanoutRow = (id: string, reference: string, samples: number[] | undefined): Row => ({
      id,
      goal: { le: 1.5 },
      group: 'rooms',
      name: `edit fan-out to ${n - 1} clients`,
      unit: 'ms',
      atrium: summarize(atrium ?? []),
      reference: { name: reference, value: summarize(samples ?? []), alternated: true },
    });
    out.push(
      fanoutRow(
        `rooms.fanout.${n - 1}`,
        'Node Yjs server storing each update in SQLite (synchronous=FULL) before relaying',
        stored,
      ),
      {
        ...fanoutRow(`rooms.fanout.${n - 1}.floor`, 'Node Yjs server storing nothing (the floor)', plain),
        goal: undefined,
      },
    );
  }
  floor.stop();
  // The reference's footprint for the same idle rooms, read from its process like workerd's.
  const refBefore = rssMiB(ref.pid);
  for (let i = 0; i < P.idleRooms; i++) {
    const c = await RoomClient.connect(`${ref.url}/idle-${i}`);
    c.insert('select 1;');
    await new Promise((r) => setTimeout(r, 20));
    c.close();
  }
  await new Promise((r) => setTimeout(r, 2000));
  const refPerRoom = ((rssMiB(ref.pid) - refBefore) * 1024) / P.idleRooms;
  ref.stop();
  rmSync(stateDir, { recursive: true, force: true });
  {
    // The rooms' own creation (document row, Durable Object, its storage) is inside the window.
    const rssBefore = rssMiB(appPid);
    const rooms: string[] = [];
    for (let i = 0; i < P.idleRooms; i++) {
      const doc = await client.json<{ id: string }>('POST', '/api/documents', {
        title: `idle ${i}`,
      });
      rooms.push(doc.id);
    }
    for (const id of rooms) {
      const c = await RoomClient.connect(`${wsBase}/parties/document/${id}`, client.headers);
      c.insert('select 1;');
      await new Promise((r) => setTimeout(r, 20));
      c.close();
    }
    await new Promise((r) => setTimeout(r, 2000));
    const perRoom = ((rssMiB(appPid) - rssBefore) * 1024) / P.idleRooms;
    out.push({
      id: 'rooms.idle.memory',
      goal: { le: 2 },
      group: 'rooms',
      name: `memory per idle room (${P.idleRooms} rooms opened, edited once, left idle)`,
      reference: { name: 'plain Node Yjs server (its process RSS)', value: refPerRoom },
      unit: 'KiB',
      atrium: perRoom,
    });
  }
  return out;
}
