/**
 * Reference Worker for the query-overhead benchmark: the same serverless drivers
 * Atrium uses, called directly (no auth, policy, history, formatting), through
 * the same local endpoints. Started by bench/run.ts under `wrangler dev`; never
 * deployed and not part of Atrium's bundle.
 */
import { neon, neonConfig } from '@neondatabase/serverless';
import { connect } from '@planetscale/database';

interface Env {
  LOCAL_ENDPOINTS: string;
  PG_URL: string;
  MYSQL_USER: string;
  MYSQL_TARGET: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const sql = url.searchParams.get('sql') ?? 'select 1';
    const local = JSON.parse(env.LOCAL_ENDPOINTS) as { neonHttp: string; planetscale: string };
    if (url.pathname === '/ping') return Response.json({ ok: true });
    if (url.pathname === '/postgres') {
      neonConfig.fetchEndpoint = local.neonHttp;
      const result = await neon(env.PG_URL, { arrayMode: true, fullResults: true }).query(sql, []);
      return Response.json({ columns: result.fields.map((f) => f.name), rows: result.rows });
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
