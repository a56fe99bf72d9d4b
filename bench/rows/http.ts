import autocannon from 'autocannon';
import type { Row } from '../report.ts';

interface LoadResult {
  rps: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** A bounded load run on loopback: fixed duration and connection count, stops by itself. */
export async function load(
  url: string,
  opts: { seconds: number; connections: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: opts.connections,
    duration: opts.seconds,
    headers: opts.headers ?? {},
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Throughput and tail latency of the health probe and of a cached schema read. */
export async function httpRows(
  base: string,
  seconds: number,
  targets: Array<{ name: string; path: string; headers?: Record<string, string> }>,
  reference: { name: string; url: string },
): Promise<Row[]> {
  const rows: Row[] = [];
  const ref = await load(reference.url, { seconds, connections: 10 });
  for (const t of targets) {
    const r = await load(base + t.path, {
      seconds,
      connections: 10,
      ...(t.headers ? { headers: t.headers } : {}),
    });
    rows.push({
      id: `http.${slug(t.name)}`,
      group: 'http',
      name: `${t.name} requests/s (10 connections, ${seconds}s)`,
      unit: 'req/s',
      atrium: r.rps,
      reference: { name: reference.name, value: ref.rps },
      higherIsBetter: true,
      note: `p99 ${r.p99} ms, ${r.errors} errors, ${r.non2xx} non-2xx`,
    });
  }
  return rows;
}

/** `GET /health` → `get-health`: a stable id from a row's name. */
export const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
