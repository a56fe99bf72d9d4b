import type { AtriumClient } from '../../test/support/http-client.ts';
import type { Goal, Row } from '../report.ts';
import { round, sampleAlternating, summarize } from '../stats.ts';

export interface QueryBench {
  appUrl: string;
  referenceUrl: string;
  /** The owner's client (an owner-ceiling token). */
  client: AtriumClient;
  email: string;
  password: string;
  pg: string;
  my: string;
  /** The same databases saved with transport `tcp` (issue 14). */
  pgTcp: string;
  myTcp: string;
  runs: number;
}

/** Headers of a cookie session (signed in afresh) and of a viewer-ceiling token of the same owner. */
async function otherCallers(b: QueryBench) {
  const signIn = await fetch(`${b.appUrl}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: b.appUrl },
    body: JSON.stringify({ email: b.email, password: b.password }),
  });
  if (!signIn.ok) throw new Error(`sign-in ${signIn.status} ${await signIn.text()}`);
  const cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  // Tokens are made by a signed-in session, never by another token.
  const made = await fetch(`${b.appUrl}/api/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: b.appUrl, cookie },
    body: JSON.stringify({ name: 'bench viewer', ceiling: 'viewer', expiresAt: null }),
  });
  if (!made.ok) throw new Error(`viewer token ${made.status} ${await made.text()}`);
  const viewer = (await made.json()) as { token: string };
  return {
    // A cookie request is a browser's: it carries Origin, as the CSRF guard requires.
    cookie: { cookie, origin: b.appUrl },
    viewer: { authorization: `Bearer ${viewer.token}` },
  };
}

/**
 * POST /query against the same driver called directly from a bare Worker, Atrium and the
 * reference taking turns in one loop. Goals: within 15 % of the driver on Postgres, 25 % on
 * MySQL (issue 13).
 */
export async function queryRows(b: QueryBench): Promise<Row[]> {
  const callers = await otherCallers(b);
  const owner = b.client.headers;
  const rows1000 = {
    postgres: 'select g, md5(g::text) as h, now() as t from generate_series(1, 1000) g',
    mysql: 'select * from rental order by rental_id limit 1000',
  };
  const cases: Array<{
    id: string;
    engine: 'postgres' | 'mysql';
    name: string;
    sql: string;
    headers: Record<string, string>;
    goal: Goal;
    /** TCP rows: Atrium's TCP connection against `pg`/`mysql2` over a socket in the bare Worker. */
    tcp?: boolean;
  }> = [
    {
      id: 'query.pg.select1',
      engine: 'postgres',
      name: 'SELECT 1',
      sql: 'select 1',
      headers: owner,
      goal: { le: 1.15 },
    },
    {
      id: 'query.pg.rows1000',
      engine: 'postgres',
      name: '1,000-row result',
      sql: rows1000.postgres,
      headers: owner,
      goal: { le: 1.15 },
    },
    {
      id: 'query.mysql.select1',
      engine: 'mysql',
      name: 'SELECT 1',
      sql: 'select 1',
      headers: owner,
      goal: { le: 1.25 },
    },
    {
      id: 'query.mysql.rows1000',
      engine: 'mysql',
      name: '1,000-row result',
      sql: rows1000.mysql,
      headers: owner,
      goal: { le: 1.25 },
    },
    {
      id: 'query.pg.select1.viewer',
      engine: 'postgres',
      name: 'SELECT 1, viewer-ceiling token (read-only run)',
      sql: 'select 1',
      headers: callers.viewer,
      goal: { le: 1.15 },
    },
    {
      id: 'query.pg.select1.cookie',
      engine: 'postgres',
      name: 'SELECT 1, cookie session',
      sql: 'select 1',
      headers: callers.cookie,
      goal: { le: 1.15 },
    },
    ...(['postgres', 'mysql'] as const).flatMap((engine) => {
      const short = engine === 'postgres' ? 'pg' : 'mysql';
      const goal = { le: engine === 'postgres' ? 1.15 : 1.25 };
      return [
        {
          id: `query.${short}.tcp.select1`,
          engine,
          name: 'SELECT 1 over TCP',
          sql: 'select 1',
          headers: owner,
          goal,
          tcp: true,
        },
        {
          id: `query.${short}.tcp.rows1000`,
          engine,
          name: '1,000-row result over TCP',
          sql: rows1000[engine],
          headers: owner,
          goal,
          tcp: true,
        },
      ];
    }),
  ];
  const out: Row[] = [];
  for (const c of cases) {
    const phases = new Map<string, number[]>();
    const connection = c.tcp
      ? c.engine === 'postgres'
        ? b.pgTcp
        : b.myTcp
      : c.engine === 'postgres'
        ? b.pg
        : b.my;
    const referencePath = c.tcp ? `${c.engine}-tcp` : c.engine;
    const body = JSON.stringify({ sql: c.sql, maxRows: 1000 });
    const [atrium = [], direct = []] = await sampleAlternating(
      [
        async () => {
          const res = await fetch(`${b.appUrl}/api/connections/${connection}/query`, {
            method: 'POST',
            headers: { ...c.headers, 'content-type': 'application/json' },
            body,
          });
          if (!res.ok) throw new Error(`${c.id}: query ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
          for (const m of (res.headers.get('server-timing') ?? '').matchAll(/([\w-]+);dur=([\d.]+)/g)) {
            phases.set(m[1] as string, [...(phases.get(m[1] as string) ?? []), Number(m[2])]);
          }
        },
        async () => {
          const res = await fetch(`${b.referenceUrl}/${referencePath}?sql=${encodeURIComponent(c.sql)}`);
          if (!res.ok) throw new Error(`reference ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
        },
      ],
      b.runs,
    );
    out.push({
      id: c.id,
      group: 'query overhead',
      name: `${c.engine} ${c.name}`,
      unit: 'ms',
      atrium: summarize(atrium),
      reference: {
        name: c.tcp
          ? `${c.engine === 'postgres' ? 'pg' : 'mysql2'} over a socket, called directly from a Worker`
          : 'same driver called directly from a Worker',
        value: summarize(direct),
        alternated: true,
      },
      goal: c.goal,
      note: `Server-Timing medians (ms): ${[...phases]
        .map(([name, d]) => `${name} ${round(summarize(d).median, 1)}`)
        .join(', ')}`,
    });
  }
  return out;
}
