import type { AtriumClient } from '../../test/support/http-client.ts';
import type { Row } from '../report.ts';
import { psql } from '../servers.ts';
import { sampleAlternating, summarize } from '../stats.ts';

/** Keyset paging: a deep page against page 1 of the same table, taking turns. */
export async function pagingRows(
  client: AtriumClient,
  pg: string,
  P: { pagingRows: number; pageSize: number; queryRuns: number },
): Promise<Row[]> {
  const have = Number(
    psql(
      'atrium_bench',
      "select coalesce((select reltuples::bigint from pg_class where relname = 'paging'), -1)",
    ).trim(),
  );
  if (have < P.pagingRows * 0.99 || have > P.pagingRows * 1.01) {
    psql('atrium_bench', 'drop table if exists paging');
    psql(
      'atrium_bench',
      `create table paging as select g::bigint as id, md5(g::text) as v from generate_series(1, ${P.pagingRows}) g`,
    );
    psql('atrium_bench', 'alter table paging add primary key (id); analyze paging');
  }
  const targetPage = Math.min(10_000, Math.floor(P.pagingRows / P.pageSize));
  const base = `/api/connections/${pg}/tables/public/paging/rows?limit=${P.pageSize}`;
  // The cursor of page N is the one the API issues after page N-1: its last key. Ids are
  // 1..rows, so that key is (N-1)·pageSize; take a real cursor and move its key there
  // instead of walking 10,000 pages first.
  const page1: { nextCursor?: string | null } = await client.json('GET', base);
  if (!page1.nextCursor) throw new Error('no second page');
  const decoded = JSON.parse(Buffer.from(page1.nextCursor, 'base64url').toString('utf8')) as {
    key: unknown[];
  };
  decoded.key = [(targetPage - 1) * P.pageSize];
  const deepCursor = Buffer.from(JSON.stringify(decoded)).toString('base64url');
  const check: { rows?: unknown[][] } = await client.json('GET', `${base}&cursor=${deepCursor}`);
  if (!check.rows?.length) throw new Error(`page ${targetPage} is empty`);
  const [deep = [], first = []] = await sampleAlternating(
    [
      async () => {
        const res = await client.request('GET', `${base}&cursor=${encodeURIComponent(deepCursor ?? '')}`);
        if (!res.ok) throw new Error(`page ${targetPage}: ${res.status}`);
        await res.arrayBuffer();
      },
      async () => {
        await (await client.request('GET', base)).arrayBuffer();
      },
    ],
    P.queryRuns,
  );
  return [
    {
      id: 'paging.deep',
      goal: { le: 1.15 },
      group: 'paging',
      name: `page ${targetPage} vs page 1 (${P.pagingRows.toLocaleString('en')} rows, ${P.pageSize}/page, keyset)`,
      unit: 'ms',
      atrium: summarize(deep),
      reference: { name: 'page 1 of the same table', value: summarize(first), alternated: true },
    },
  ];
}
