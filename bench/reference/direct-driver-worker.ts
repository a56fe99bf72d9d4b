/**
 * Reference Worker for the query-overhead benchmark: the same serverless drivers
 * Atrium uses, called directly (no auth, policy, history, formatting), through
 * the same local endpoints. Started by bench/run.ts under `wrangler dev`; never
 * deployed and not part of Atrium's bundle.
 */
import { neon, neonConfig } from '@neondatabase/serverless';
import { connect } from '@planetscale/database';
import mysql from 'mysql2/promise';
import pg from 'pg';

interface Env {
  LOCAL_ENDPOINTS: string;
  PG_URL: string;
  MYSQL_USER: string;
  MYSQL_TARGET: string;
  /** `mysql://root@127.0.0.1:3306/sakila`, for the TCP row. */
  MYSQL_URL: string;
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    const sql = url.searchParams.get('sql') ?? 'select 1';
    const local = JSON.parse(env.LOCAL_ENDPOINTS) as { neonHttp: string; planetscale: string };
    if (url.pathname === '/ping') return Response.json({ ok: true });
    if (url.pathname === '/postgres') {
      neonConfig.fetchEndpoint = local.neonHttp;
      const result = await neon(env.PG_URL, { arrayMode: true, fullResults: true }).query(sql, []);
      return Response.json({ columns: result.fields.map((f) => f.name), rows: result.rows });
    }
    if (url.pathname === '/postgres-tcp') {
      // node-postgres over a Workers socket, as Atrium's TCP transport; `port` reaches the
      // same server through the geography bench's delaying proxy (bench/geo/delay-proxy.ts).
      const target = new URL(env.PG_URL);
      const port = url.searchParams.get('port');
      if (port) target.port = port;
      // wrangler bundles with the `workerd` condition, under which pg opens a Workers socket itself.
      const client = new pg.Client({ connectionString: target.toString() });
      await client.connect();
      try {
        const result = await client.query({ text: sql, rowMode: 'array' });
        return Response.json({ columns: result.fields.map((f) => f.name), rows: result.rows });
      } finally {
        // Closed after the response, as Atrium closes its engine.
        ctx.waitUntil(client.end().catch(() => {}));
      }
    }
    if (url.pathname === '/mysql-tcp') {
      // mysql2 over node:net (a Workers socket), as Atrium's TCP transport opens it.
      const conn = await mysql.createConnection({ uri: env.MYSQL_URL, disableEval: true });
      try {
        const [rows, fields] = await conn.query({ sql, rowsAsArray: true });
        return Response.json({ columns: (fields ?? []).map((f) => f.name), rows });
      } finally {
        ctx.waitUntil(conn.end().catch(() => {}));
      }
    }
    if (url.pathname === '/mysql') {
      const base = new URL(local.planetscale);
      base.username = env.MYSQL_USER;
      const conn = connect({
        url: base.toString(),
        fetch: (input: string, init?: RequestInit) => {
          const headers = new Headers(init?.headers);
          headers.set('X-Atrium-Mysql-Target', env.MYSQL_TARGET);
          // As in worker/engines/mysql/planetscale-http.ts: the stand-in's secret prefix goes back before the API path.
          const url = `${local.planetscale.replace(/\/+$/, '')}${new URL(input).pathname}`;
          return fetch(url, { ...init, headers });
        },
      });
      const result = await conn.execute(sql, null, { as: 'array' });
      return Response.json({ columns: result.fields.map((f) => f.name), rows: result.rows });
    }
    return new Response('not found', { status: 404 });
  },
};
