import { spawn } from 'node:child_process';
import type { AtriumClient } from '../../test/support/http-client.ts';
import type { Row } from '../report.ts';
import { peakHeap, peakRss, psql } from '../servers.ts';
import { round, summarize } from '../stats.ts';

const ROUNDS = 3;
const SMALL_ROWS = 10_000;
const mb = (b: number) => b / 1024 / 1024;

/**
 * CSV export of a Postgres table through Atrium (Neon's HTTP transport and TCP) against
 * `psql \copy … TO STDOUT CSV`, the three taking turns for `ROUNDS` rounds (medians reported).
 * Memory: does it grow with the export's size? The user worker's peak live V8 heap over one big
 * export per transport (sampled apart from the timed rounds: sampling collects garbage) against the
 * same over a 10,000-row table; and, without a goal, its process RSS over the timed rounds.
 */
export async function exportRows(b: {
  client: AtriumClient;
  pg: string;
  pgTcp: string;
  appPid: number;
  inspectorUrl: string;
  rows: number;
}): Promise<Row[]> {
  const table = (name: string, n: number) => {
    psql('atrium_bench', `drop table if exists ${name}`);
    psql(
      'atrium_bench',
      `create table ${name} as select g as id, md5(g::text) as name, g * 1.5 as amount, now() - (g || ' seconds')::interval as at from generate_series(1, ${n}) g`,
    );
  };
  table('export_src', b.rows);
  table('export_small', SMALL_ROWS);

  /** One whole CSV export of `name` through `connection`: seconds, bytes and lines. */
  const exportThrough = async (connection: string, name = 'export_src') => {
    const t0 = performance.now();
    const res = await b.client.request(
      'GET',
      `/api/connections/${connection}/export?format=csv&schema=public&table=${name}&escapeFormulas=false`,
    );
    if (!res.ok || !res.body) throw new Error(`export ${res.status} ${await res.text()}`);
    let bytes = 0;
    let newlines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) newlines++;
    }
    return { seconds: (performance.now() - t0) / 1000, bytes, newlines };
  };

  // Warm-up, and the small exports' peak: the memory a working export needs whatever its size.
  const small = peakRss(b.appPid);
  for (const connection of [b.pg, b.pgTcp, b.pg, b.pgTcp]) await exportThrough(connection, 'export_small');
  const smallPeak = small.stop();
  // Live heap (a full collection before each sample) over one export per transport.
  const liveOver = async (name: string) => {
    const heap = await peakHeap(b.inspectorUrl, { everyMs: 250, live: true });
    for (const connection of [b.pg, b.pgTcp]) await exportThrough(connection, name);
    return heap.stop();
  };
  const smallLive = await liveOver('export_small');

  const neon: number[] = [];
  const tcp: number[] = [];
  const ref: number[] = [];
  let lines = { neon: 0, tcp: 0 };
  const big = peakRss(b.appPid);
  for (let round = 0; round < ROUNDS; round++) {
    const viaNeon = await exportThrough(b.pg);
    neon.push(mb(viaNeon.bytes) / viaNeon.seconds);
    const t = performance.now();
    const refBytes = await psqlCopy();
    ref.push(mb(refBytes) / ((performance.now() - t) / 1000));
    const viaTcp = await exportThrough(b.pgTcp);
    tcp.push(mb(viaTcp.bytes) / viaTcp.seconds);
    lines = { neon: viaNeon.newlines - 1, tcp: viaTcp.newlines - 1 };
  }
  const bigPeak = big.stop();
  const bigLive = await liveOver('export_src');
  const reference = {
    name: 'psql \\copy … TO STDOUT CSV',
    value: summarize(ref),
    alternated: true,
  };
  const size = `${b.rows.toLocaleString('en')} rows`;
  return [
    {
      id: 'export.csv',
      goal: { ge: 0.5 },
      group: 'export',
      name: `CSV export of ${size} over Neon's HTTP transport (${lines.neon} data lines; ${ROUNDS} rounds)`,
      unit: 'MB/s',
      atrium: summarize(neon),
      reference,
      higherIsBetter: true,
    },
    {
      id: 'export.csv.tcp',
      goal: { ge: 0.5 },
      group: 'export',
      name: `CSV export of ${size} over TCP (${lines.tcp} data lines; ${ROUNDS} rounds)`,
      unit: 'MB/s',
      atrium: summarize(tcp),
      reference,
      higherIsBetter: true,
    },
    {
      id: 'export.memory',
      goal: { le: 1.1 },
      group: 'export',
      name: `peak live V8 heap of the user worker (what the 128 MB limit counts) over a ${size} export per transport`,
      unit: 'MiB',
      atrium: round(bigLive),
      reference: {
        name: `the same over a ${SMALL_ROWS.toLocaleString('en')}-row export per transport`,
        value: round(smallLive),
      },
    },
    {
      id: 'export.memory.rss',
      group: 'export',
      name: `peak user-worker RSS (workerd, native buffers included) over the ${size} exports`,
      unit: 'MiB',
      atrium: round(bigPeak),
      reference: {
        name: `its peak over exports of ${SMALL_ROWS.toLocaleString('en')} rows just before`,
        value: round(smallPeak),
      },
    },
  ];
}

function psqlCopy(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn('psql', [
      ...['-h', '127.0.0.1', '-U', 'postgres', '-d', 'atrium_bench'],
      ...['-c', '\\copy export_src TO STDOUT CSV HEADER'],
    ]);
    let n = 0;
    child.stdout.on('data', (d: Buffer) => {
      n += d.length;
    });
    child.on('exit', (code) => (code === 0 ? resolve(n) : reject(new Error(`psql exit ${code}`))));
  });
}
