import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AtriumClient } from '../../test/support/http-client.ts';
import { measureFanout, RoomClient } from '../../test/support/yjs-client.ts';
import type { Row } from '../report.ts';
import { peakHeap, rssMiB, spawnReferenceYjsServer, startReferenceWorker, userWorker } from '../servers.ts';
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
  inspectorUrl,
  P,
}: {
  client: AtriumClient;
  /** The user worker's own address (ws://), past wrangler's proxy. */
  wsBase: string;
  /** The user worker's workerd process. */
  appPid: number;
  /** Its DevTools endpoint (the isolate's heap). */
  inspectorUrl: string;
  P: { bigRoom: number; fanoutEdits: number; idleRooms: number };
}): Promise<Row[]> {
  const out: Row[] = [];
  const stateDir = mkdtempSync(join(tmpdir(), 'atrium-bench-yjs-'));
  const ref = await spawnReferenceYjsServer(join(stateDir, 'updates.sqlite'));
  const floor = await spawnReferenceYjsServer();
  // The runtime's own floor: a bare Durable Object relay that stores each frame (room-relay-worker.ts).
  const relayServer = await startReferenceWorker({}, 'bench/reference/room-relay.wrangler.toml');
  const relay = await userWorker(relayServer.processGroup, relayServer.url, '/ping');
  const relayWs = relay.url.replace('http', 'ws');
  for (const n of [10, P.bigRoom]) {
    const doc = await client.json<{ id: string }>('POST', '/api/documents', {
      title: `bench room ${n}`,
    });
    const [atrium, stored, plain, bare] = await measureFanout(
      [
        () => RoomClient.connect(`${wsBase}/parties/document/${doc.id}`, client.headers),
        () => RoomClient.connect(`${ref.url}/room-${n}`),
        () => RoomClient.connect(`${floor.url}/room-${n}`),
        () => RoomClient.connect(`${relayWs}/room-${n}`),
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
      {
        ...fanoutRow(
          `rooms.fanout.${n - 1}.runtime`,
          'bare Durable Object relay storing each frame (workerd, no Yjs or auth)',
          bare,
        ),
        goal: undefined,
      },
    );
  }
  floor.stop();
  // The reference's footprint for the same idle rooms, read from its process like workerd's.
  const refBefore = rssMiB(ref.pid);
  for (let i = 0; i < P.idleRooms; i++) await touchRoom(`${ref.url}/idle-${i}`);
  await sleep(2000);
  const refPerRoom = ((rssMiB(ref.pid) - refBefore) * 1024) / P.idleRooms;
  ref.stop();
  rmSync(stateDir, { recursive: true, force: true });

  // The bare relay's objects, created and left the same way: what the runtime itself costs per room.
  const relayBefore = rssMiB(relay.pid);
  for (let i = 0; i < P.idleRooms; i++) await touchRoom(`${relayWs}/idle-${i}`);
  await sleep(2000);
  const relayPerRoom = ((rssMiB(relay.pid) - relayBefore) * 1024) / P.idleRooms;
  relayServer.stop();

  // The rooms' own creation (document row, Durable Object, its storage) is inside the window.
  const before = rssMiB(appPid);
  const heapBefore = await liveHeap(inspectorUrl);
  for (let i = 0; i < P.idleRooms; i++) {
    const doc = await client.json<{ id: string }>('POST', '/api/documents', { title: `idle ${i}` });
    await touchRoom(`${wsBase}/parties/document/${doc.id}`, client.headers);
  }
  await sleep(2000);
  const perRoom = () => ((rssMiB(appPid) - before) * 1024) / P.idleRooms;
  const resident = perRoom();
  const heapPerRoom = (((await liveHeap(inspectorUrl)) - heapBefore) * 1024) / P.idleRooms;
  // Idle objects leave memory (hibernation; workerd evicts them after about a minute here):
  // wait until most of what the rooms took is returned, or give up after three minutes.
  const started = Date.now();
  let hibernated = resident;
  while (Date.now() - started < 180_000 && hibernated > resident * 0.25) {
    await sleep(5000);
    hibernated = perRoom();
  }
  const waited = Math.round((Date.now() - started) / 1000);
  const reference = {
    name: 'Node Yjs server storing updates (its process RSS; it never evicts)',
    value: refPerRoom,
  };
  return [
    ...out,
    {
      id: 'rooms.idle.memory',
      goal: { le: 2 },
      group: 'rooms',
      name: `memory per idle room once hibernated (${P.idleRooms} rooms created, edited once and left; read ${waited + 2} s after the last edit)`,
      note: 'below 0 when the process returned more than the rooms took',
      reference,
      unit: 'KiB',
      atrium: hibernated,
    },
    {
      id: 'rooms.resident.heap',
      group: 'rooms',
      name: 'live V8 heap per resident room (the isolate holding the rooms, after a full collection; the JS share of the row above, no reference)',
      unit: 'KiB',
      atrium: heapPerRoom,
    },
    {
      id: 'rooms.resident.memory.runtime',
      group: 'rooms',
      name: 'memory per room still resident, against the bare Durable Object relay (its workerd RSS, 2 s after)',
      reference: { name: 'bare Durable Object relay storing each frame', value: relayPerRoom },
      unit: 'KiB',
      atrium: resident,
    },
    {
      id: 'rooms.resident.memory',
      group: 'rooms',
      name: `memory per room still resident (the same rooms, 2 s after their last edit, before hibernation)`,
      reference,
      unit: 'KiB',
      atrium: resident,
    },
  ];
}

/** The isolate's live heap in MiB, after a full collection. */
async function liveHeap(inspectorUrl: string): Promise<number> {
  const heap = await peakHeap(inspectorUrl, { everyMs: 60_000, live: true });
  return heap.stop();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a room, makes one edit, and leaves. */
async function touchRoom(url: string, headers?: Record<string, string>): Promise<void> {
  const c = await RoomClient.connect(url, headers);
  c.insert('select 1;');
  await sleep(20);
  c.close();
}
