import autocannon from 'autocannon';
import { RoomClient } from '../../test/support/yjs-client.ts';
import type { Row } from '../report.ts';
import { slug } from './http.ts';

interface Target {
  name: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
}

/**
 * A bounded mixed load on loopback: health checks, cached schema reads and queries
 * at once, while a few members type in one room. Stops by itself after `seconds`.
 * Errors are counted apart from deliberate 429s.
 */
export async function mixedLoad(opts: {
  seconds: number;
  targets: Target[];
  room: { url: string; headers: Record<string, string>; typists: number };
}): Promise<Row[]> {
  // Reference: each request alone at the same concurrency, just before the mixed run.
  const aloneSeconds = Math.max(2, Math.round(opts.seconds / 6));
  const alone: number[] = [];
  for (const t of opts.targets) alone.push((await run(t, aloneSeconds)).requests.average);

  const typists: RoomClient[] = [];
  for (let i = 0; i < opts.room.typists; i++)
    typists.push(await RoomClient.connect(opts.room.url, opts.room.headers));
  // Each edit is a marker naming its typist and number, so what reached the others can be counted.
  let sent = 0;
  const deadline = Date.now() + opts.seconds * 1000;
  const typing = (async () => {
    while (Date.now() < deadline) {
      for (const [i, t] of typists.entries()) t.insert(`[${i}:${sent++}]`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  const results = await Promise.all(opts.targets.map((t) => run(t, opts.seconds)));
  await typing;
  await new Promise((r) => setTimeout(r, 2000));
  // Relayed: edits the server delivered to every other typist (a typist's own inserts count for nothing).
  const markers = typists.map((t) => new Set(t.text.toString().match(/\[\d+:\d+\]/g) ?? []));
  let relayed = 0;
  for (let e = 0; e < sent; e++) {
    const author = e % typists.length;
    const marker = `[${author}:${e}]`;
    if (markers.every((m, j) => j === author || m.has(marker))) relayed++;
  }
  // Converged by content: every typist holds the same text, character for character.
  const converged = typists.every((t) => t.text.toString() === typists[0]?.text.toString());
  for (const t of typists) t.close();

  const rows: Row[] = results.map((r, i) => {
    const t = opts.targets[i] as Target;
    const byStatus = r.statusCodeStats as unknown as Record<string, { count: number }>;
    const limited = byStatus['429']?.count ?? 0;
    const failures = r.errors + r.timeouts + (r.non2xx - limited);
    return {
      id: `load.${slug(t.name)}`,
      group: 'load',
      name: `${t.name} under mixed load (${t.connections} connections, ${opts.seconds}s)`,
      unit: 'req/s',
      atrium: r.requests.average,
      reference: { name: `the same request alone (${aloneSeconds}s)`, value: alone[i] as number },
      higherIsBetter: true,
      note: `p99 ${r.latency.p99} ms, ${r.requests.total} requests, ${failures} errors, ${limited} deliberate 429s`,
    };
  });
  rows.push({
    id: 'load.room.edits',
    group: 'load',
    name: `room edits relayed to every other typist during the load (${opts.room.typists} typists; ${relayed} of ${sent} sent)`,
    unit: 'edits/s',
    atrium: relayed / opts.seconds,
    reference: {
      name: 'offered rate (each typist every 50 ms)',
      value: opts.room.typists * 20,
      constant: true,
    },
    higherIsBetter: true,
    note: converged
      ? 'all typists converged to the same text (compared by content)'
      : 'typists did NOT converge (texts differ)',
  });
  return rows;
}

function run(t: Target, seconds: number) {
  return autocannon({
    url: t.url,
    method: t.method ?? 'GET',
    headers: t.headers ?? {},
    ...(t.body ? { body: t.body } : {}),
    connections: t.connections,
    duration: seconds,
  });
}
