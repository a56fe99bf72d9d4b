/**
 * Restart soak (run by app-under-stress.test.ts): SOAK_RESTARTS (20 by default, as in CI)
 * SIGKILLs of the runtime (wrangler dev and its workerd, like a crash or a deploy) at random
 * moments while five clients type into one document and run queries, each restart on the
 * same persisted D1 and Durable Object state. Four typists use y-partyserver's own provider, which reconnects by itself; the fifth
 * is forgetful — a fresh socket per life of the runtime, abandoned at the kill — so its
 * acknowledged edits can only come back from the room's storage.
 *
 * At the end: every acknowledged edit (one another member had received, which the room relays
 * only after storing it) is in the stored document, every edit of the reconnecting typists
 * too, each exactly once; the members and storage hold the same text, which a new member
 * loads; and the audit log holds every query that answered 200 exactly once, and no query
 * more than once.
 */
import type { ExpectStatic } from 'vitest';
import type { AppServer } from '../support/app-server.ts';
import { PAGILA } from '../support/fixtures.ts';
import { AtriumClient } from '../support/http-client.ts';
import { connectReconnecting, type ReconnectingClient } from '../support/reconnecting-client.ts';
import { RoomClient } from '../support/yjs-client.ts';

export const RESTARTS = Number(process.env.SOAK_RESTARTS ?? 20);
const TYPISTS = 4;
const TYPING_MS = 120;
const QUERY_PAUSE_MS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The whole soak against `app` (started with LOAD_LIMITS), asserting with `expect`. */
export async function restartSoak(expect: ExpectStatic, app: AppServer): Promise<void> {
  const client = await AtriumClient.signUp(app.url, `soak-${Date.now()}@example.com`);
  const pg = await client.createConnection({ name: 'Pagila', ...PAGILA });
  const docId = (await client.json<{ id: string }>('POST', '/api/documents', { title: 'Soak' })).id;
  const host = app.url.replace('http://', '');
  const members: ReconnectingClient[] = Array.from({ length: TYPISTS }, () =>
    connectReconnecting(host, docId, client.headers),
  );
  await Promise.all(members.map((m) => m.synced()));
  const roomUrl = `${app.url.replace('http', 'ws')}/parties/document/${docId}`;
  let running = true;
  const typed: string[] = [];
  const acknowledged = new Set<string>();
  /**
   * Edits held by a member other than their author, read just before a kill: the room relays
   * an edit only after storing it, so these must survive whatever the kill interrupts.
   */
  const noteAcknowledged = () => {
    members.forEach((m, i) => {
      for (const marker of m.text.toString().match(/<[tf]\d+\.\d+>/g) ?? []) {
        if (!marker.startsWith(`<t${i}.`)) acknowledged.add(marker);
      }
    });
  };

  const typists = members.map(async (m, i) => {
    for (let n = 0; running; n++) {
      const marker = `<t${i}.${n}>`;
      m.text.insert(m.text.length, marker);
      typed.push(marker);
      await sleep(TYPING_MS);
    }
  });
  // The forgetful typist: one socket per life of the runtime, dropped with everything it holds.
  const forgetfulTyped: string[] = [];
  const forgetful = (async () => {
    for (let life = 0; running; life++) {
      let socket: RoomClient;
      try {
        socket = await RoomClient.connect(roomUrl, client.headers);
      } catch {
        await sleep(300);
        continue;
      }
      let open = true;
      socket.onClose(() => {
        open = false;
      });
      for (let n = 0; running && open; n++) {
        const marker = `<f${life}.${n}>`;
        socket.insert(marker);
        forgetfulTyped.push(marker);
        await sleep(TYPING_MS);
      }
      socket.close();
    }
  })();
  const answered: string[] = [];
  const uncertain: string[] = [];
  const refused: string[] = [];
  let seq = 0;
  const queriers = members.map(async () => {
    while (running) {
      const n = seq++;
      const sql = `select ${n} as soak_${n}`;
      try {
        const res = await client.request('POST', `/api/connections/${pg}/query`, { sql });
        const body = await res.text();
        if (res.status === 200) answered.push(sql);
        else if (res.status >= 500) uncertain.push(sql);
        else refused.push(`${res.status} ${body.slice(0, 100)}`);
      } catch {
        uncertain.push(sql); // the runtime died while it was in flight: it may or may not have run
        await sleep(200);
      }
      await sleep(QUERY_PAUSE_MS);
    }
  });

  const restartMs: number[] = [];
  for (let k = 0; k < RESTARTS; k++) {
    // Every member back in the room (the provider reconnects by itself), then a random moment.
    await Promise.race([Promise.all(members.map((m) => m.synced())), sleep(20_000)]);
    await sleep(200 + Math.floor(Math.random() * 1000));
    noteAcknowledged();
    const t = Date.now();
    await app.crashAndRestart();
    restartMs.push(Date.now() - t);
  }
  await sleep(1500);
  running = false;
  await Promise.all([...typists, forgetful, ...queriers]);

  // The reconnecting members converge with storage.
  const stored = async () =>
    (await client.json<{ content?: { sql: string } }>('GET', `/api/documents/${docId}`)).content?.sql ?? '';
  let text = '';
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    text = await stored();
    if (members.every((m) => m.text.toString() === text) && typed.every((m) => text.includes(m))) break;
    await sleep(250);
  }
  for (const m of members) m.destroy();

  const lostAcknowledged = [...acknowledged].filter((m) => !text.includes(m));
  const lostTyped = typed.filter((m) => !text.includes(m));
  const all = text.match(/<[tf]\d+\.\d+>/g) ?? [];
  const duplicated = all.length - new Set(all).size;
  const late = await RoomClient.connect(roomUrl, client.headers);
  const lastMarker = all.at(-1) ?? '';
  await Promise.race([late.waitFor(lastMarker), sleep(20_000)]);
  const reloaded = late.text.toString();
  late.close();

  // The audit log: every 200 exactly once, nothing more than once.
  const audited = new Map<string, number>();
  let cursor: string | null = null;
  do {
    const page: { entries: { statement: string | null }[]; nextCursor: string | null } = await client.json(
      'GET',
      `/api/audit?action=query.query&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    for (const e of page.entries) {
      if (e.statement?.startsWith('select ')) audited.set(e.statement, (audited.get(e.statement) ?? 0) + 1);
    }
    cursor = page.nextCursor;
  } while (cursor);
  const unaudited = answered.filter((sql) => audited.get(sql) !== 1);
  const twice = [...audited].filter(([, n]) => n > 1).map(([sql]) => sql);
  const unknown = [...audited.keys()].filter((sql) => !answered.includes(sql) && !uncertain.includes(sql));

  console.log(
    [
      `restart soak: ${RESTARTS} SIGKILLs of the runtime, restarts took ${Math.min(...restartMs)}–${Math.max(...restartMs)} ms`,
      `edits: ${typed.length} by ${TYPISTS} reconnecting typists, ${forgetfulTyped.length} by the forgetful one; ${acknowledged.size} acknowledged; lost acknowledged ${lostAcknowledged.length}, lost typed ${lostTyped.length}, duplicated ${duplicated}`,
      `queries: ${answered.length} answered 200, ${uncertain.length} unanswered (runtime down, or killed in flight), ${refused.length} refused; audited ${audited.size}; 200s not audited exactly once ${unaudited.length}; audited twice ${twice.length}`,
    ].join('\n'),
  );
  expect(refused.slice(0, 5)).toEqual([]);
  expect(lostAcknowledged.slice(0, 10), 'acknowledged edits lost').toEqual([]);
  expect(lostTyped.slice(0, 10), 'edits of reconnecting typists lost').toEqual([]);
  expect(duplicated).toBe(0);
  expect(members.map((m) => m.text.toString() === text)).toEqual(members.map(() => true));
  expect(reloaded).toBe(text);
  expect(acknowledged.size).toBeGreaterThan(RESTARTS * 5);
  expect(unaudited.slice(0, 10), 'queries answered 200 but not audited exactly once').toEqual([]);
  expect(twice.slice(0, 10), 'queries audited twice').toEqual([]);
  expect(unknown.slice(0, 10), 'audited queries nobody sent').toEqual([]);
  // The runtime is up for about a second between kills: at least one answered query per life.
  expect(answered.length).toBeGreaterThanOrEqual(RESTARTS);
}
