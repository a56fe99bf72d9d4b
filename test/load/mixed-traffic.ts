/**
 * Load (run by app-under-stress.test.ts): LOAD_SECONDS (60 by default, as in CI; set fewer
 * locally) of mixed traffic against one running Atrium (wrangler dev, real D1 and Durable
 * Objects, real PostgreSQL and MariaDB behind the local driver endpoints): health, schema reads, queries and exports on
 * both engines from concurrent HTTP clients, while 10 typists edit 3 documents. Asserted:
 * no answer other than 429 is an error, every query and export answer equals what the
 * database itself returns, every room converges — each member holds every edit, all members
 * hold the same text, and it equals the stored document — the stored document holds each
 * edit sent exactly once, and the room's own count of updates it accepted, stored and relayed
 * (GET /api/documents/{id}/stats) grew by exactly the edits sent: each typist insert is one update.
 */
import type { ExpectStatic } from 'vitest';
import type { AppServer } from '../support/app-server.ts';
import { PAGILA, SAKILA } from '../support/fixtures.ts';
import { AtriumClient } from '../support/http-client.ts';
import { RoomClient } from '../support/yjs-client.ts';
import { type Reference, readReference } from './reference.ts';
import { pickOperation, type Targets } from './traffic.ts';

export const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);

/** Load, not the limiter, is under test (the limiter has its own tests); 429 stays allowed. */
export const LOAD_LIMITS = {
  RATE_LIMIT_TOKEN: '100000/60',
  QUERY_RATE_LIMIT_USER: '100000/60',
  QUERY_RATE_LIMIT_CONNECTION: '100000/60',
};
const HTTP_CLIENTS = 8;
const ROOMS = [4, 3, 3];
/** Pause between a typist's edits: about 6 edits per second each, 60 across the rooms. */
const TYPING_MS = 160;

/** mulberry32: reproducible picks without a dependency. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function http(
  targets: Targets,
  until: number,
  seed: number,
  tally: Map<string, { ok: number; limited: number }>,
  errors: string[],
) {
  const random = prng(seed);
  while (Date.now() < until) {
    const [name, run] = pickOperation(random);
    let verdict: string | null;
    try {
      verdict = await run(targets, random);
    } catch (err) {
      verdict = `threw ${String(err)}`;
    }
    const t = tally.get(name) ?? { ok: 0, limited: 0 };
    if (verdict === null) t.ok++;
    else if (verdict === 'limited') t.limited++;
    else errors.push(`${name}: ${verdict}`);
    tally.set(name, t);
  }
}

async function typist(client: RoomClient, tag: string, until: number, sent: string[]) {
  for (let n = 0; Date.now() < until; n++) {
    const marker = `<${tag}.${n}>`;
    client.insert(marker);
    sent.push(marker);
    await new Promise((r) => setTimeout(r, TYPING_MS));
  }
}

interface RoomStats {
  updatesStored: number;
  sockets: number;
}

const statsOf = (targets: Targets, doc: string) =>
  targets.client.json<RoomStats>('GET', `/api/documents/${doc}/stats`);

/** The room's counts once all `typists` sockets are open in it (polled: the room sees them a bit after the client). */
async function joinedStats(targets: Targets, doc: string, typists: number): Promise<RoomStats> {
  const deadline = Date.now() + 10_000;
  let stats = await statsOf(targets, doc);
  while (stats.sockets !== typists && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 100));
    stats = await statsOf(targets, doc);
  }
  return stats;
}

/** Signs up, saves the sample connections (synced), creates the documents. */
async function prepare(app: AppServer): Promise<{ targets: Targets; docs: string[] }> {
  const [client, reference] = await Promise.all([
    AtriumClient.signUp(app.url, `load-${Date.now()}@example.com`),
    readReference(100),
  ]);
  const [pg, my] = await Promise.all([
    client.createConnection({ name: 'Pagila', ...PAGILA }),
    client.createConnection({ name: 'Sakila', ...SAKILA }),
  ]);
  for (const id of [pg, my]) await client.json('POST', `/api/connections/${encodeURIComponent(id)}/sync`);
  const docs = await Promise.all(
    ROOMS.map(
      async (_, i) =>
        (await client.json<{ id: string }>('POST', '/api/documents', { title: `Load ${i}` })).id,
    ),
  );
  return { targets: { client, reference: reference as Reference, pg, my }, docs };
}

/** The whole load run against `app` (started with LOAD_LIMITS), asserting with `expect`. */
export async function mixedTraffic(expect: ExpectStatic, app: AppServer): Promise<void> {
  const { targets, docs } = await prepare(app);
  const wsBase = `${app.url.replace('http', 'ws')}/parties/document/`;
  const rooms = await Promise.all(
    ROOMS.map((typists, r) =>
      Promise.all(
        Array.from({ length: typists }, () =>
          RoomClient.connect(`${wsBase}${docs[r]}`, targets.client.headers),
        ),
      ),
    ),
  );
  const before = await Promise.all(
    ROOMS.map((typists, r) => joinedStats(targets, docs[r] as string, typists)),
  );
  expect(
    before.map((b) => b.sockets),
    'typists in each room as the room counts them',
  ).toEqual(ROOMS);
  const sent: string[][] = ROOMS.map(() => []);
  const tally = new Map<string, { ok: number; limited: number }>();
  const errors: string[] = [];
  const started = Date.now();
  const until = started + SECONDS * 1000;
  await Promise.all([
    ...Array.from({ length: HTTP_CLIENTS }, (_, i) => http(targets, until, 16_000 + i, tally, errors)),
    ...rooms.flatMap((clients, r) =>
      clients.map((c, i) => typist(c, `r${r}t${i}`, until, sent[r] as string[])),
    ),
  ]);
  const elapsed = (Date.now() - started) / 1000;

  // Every member of a room must hold every edit sent in it, then all the same text, equal to storage.
  const roomReport: string[] = [];
  for (const [r, clients] of rooms.entries()) {
    const markers = sent[r] as string[];
    const deadline = Date.now() + 30_000;
    const missing = () =>
      clients.reduce((n, c) => {
        const text = c.text.toString();
        return n + markers.filter((m) => !text.includes(m)).length;
      }, 0);
    while (missing() > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    expect(missing(), `room ${r}: edits missing at some member`).toBe(0);
    let stored = '';
    while (Date.now() < deadline) {
      const doc = await targets.client.json<{ content?: { sql: string } }>(
        'GET',
        `/api/documents/${docs[r]}`,
      );
      stored = doc.content?.sql ?? '';
      if (clients.every((c) => c.text.toString() === stored)) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    for (const c of clients) expect(c.text.toString(), `room ${r}: member text equals storage`).toBe(stored);
    const storedEdits = stored.match(/<r\d+t\d+\.\d+>/g) ?? [];
    expect(storedEdits.length, `room ${r}: edits stored`).toBe(markers.length);
    expect(new Set(storedEdits).size, `room ${r}: each edit stored once`).toBe(markers.length);
    // Converged, so nothing is in flight: the room's own count covers every edit it received.
    const relayed =
      (await statsOf(targets, docs[r] as string)).updatesStored - (before[r] as RoomStats).updatesStored;
    expect(relayed, `room ${r}: updates the room counted as stored and relayed`).toBe(markers.length);
    roomReport.push(
      `room ${r}: ${clients.length} typists, ${markers.length} edits sent, ${relayed} counted by the room, ${storedEdits.length} stored and at every member`,
    );
    for (const c of clients) c.close();
  }

  const lines = [...tally].map(
    ([name, t]) => `${String(t.ok).padStart(6)} ok ${String(t.limited).padStart(4)} × 429  ${name}`,
  );
  const ok = [...tally.values()].reduce((n, t) => n + t.ok, 0);
  const limited = [...tally.values()].reduce((n, t) => n + t.limited, 0);
  console.log(
    [
      `load: ${elapsed.toFixed(1)} s, ${HTTP_CLIENTS} HTTP clients, ${ROOMS.reduce((a, b) => a + b, 0)} typists in ${ROOMS.length} rooms`,
      ...lines,
      ...roomReport,
      `${ok + limited + errors.length} requests (${((ok + limited + errors.length) / elapsed).toFixed(1)}/s): ${ok} correct, ${limited} × 429, ${errors.length} errors`,
    ].join('\n'),
  );
  expect(errors.slice(0, 20)).toEqual([]);
  // Every operation ran and answered correctly at least once: a run of only 429s proves nothing.
  expect([...tally].filter(([, t]) => t.ok === 0).map(([name]) => name)).toEqual([]);
  expect(tally.size).toBe(9);
}
