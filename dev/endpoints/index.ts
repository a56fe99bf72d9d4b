/**
 * Local stand-ins for the serverless drivers' services, on one HTTP server bound to 127.0.0.1,
 * every path behind the install's secret (see gate.ts; anything else is a 403):
 * - `POST /<secret>/sql`: Neon's SQL-over-HTTP (for `neon()`), see neon-http.ts;
 * - `GET /<secret>/v2?address=host:port` (WebSocket): Neon's WebSocket proxy (for `Pool`/`Client`),
 *   see neon-ws.ts;
 * - `POST /<secret>/psdb.v1alpha1.Database/*`: PlanetScale's HTTP API, see planetscale-http.ts;
 * - `POST /<secret>/client/v4/accounts/…/d1/database/…/{query,raw}`: Cloudflare's D1 REST API, see
 *   d1-http.ts; `/<secret>/libsql/<name>/v2/pipeline`: a libSQL server, see libsql-http.ts. Both
 *   serve the SQLite files in `sqliteDir` (sqlite-files.ts).
 * Run by `npm start` (dev/start.ts) and the test global setup; never part of the Worker bundle.
 * The Worker learns the URLs, secret included, from the `LOCAL_ENDPOINTS` var (JSON of
 * `LocalEndpointUrls`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createD1Endpoint } from './d1-http.ts';
import { admit, newEndpointSecret } from './gate.ts';
import { createLibsqlEndpoint } from './libsql-http.ts';
import { handleNeonHttp } from './neon-http.ts';
import { createNeonWsBridge } from './neon-ws.ts';
import { createPlanetScaleEndpoint } from './planetscale-http.ts';
import { SqliteFiles } from './sqlite-files.ts';

export interface LocalEndpointUrls {
  /** For neonConfig.fetchEndpoint. */
  neonHttp: string;
  /** For neonConfig.wsProxy (`ws://host:port/v2`; the driver appends `?address=`). */
  neonWs: string;
  /**
   * For the PlanetScale driver's `url` (credentials are added by the caller). The driver resolves
   * its API paths against the origin alone, so callers put this URL's path back in front of them.
   */
  planetscale: string;
  /** Stands for `https://api.cloudflare.com/client/v4` (the D1 REST API). */
  d1Http: string;
  /** `<libsql>/<name>/` is a libSQL server URL for the file `<name>.sqlite`. */
  libsql: string;
}

export interface LocalEndpoints extends LocalEndpointUrls {
  close(): Promise<void>;
}

export interface LocalEndpointOptions {
  /** 0 (the default) picks a free port, so concurrent test runs never collide. */
  port?: number;
  /** The install's secret (`.dev.vars` LOCAL_ENDPOINTS_SECRET); a fresh one per start when absent. */
  secret?: string;
  /** Where the D1 and libSQL stand-ins keep their SQLite files (`<name>.sqlite`); a temp dir by default. */
  sqliteDir?: string;
}

export async function startLocalEndpoints(options: LocalEndpointOptions = {}): Promise<LocalEndpoints> {
  const secret = options.secret ?? newEndpointSecret();
  if (!/^[\w-]{32,}$/.test(secret)) {
    throw new Error('the local endpoint secret must be at least 32 URL-safe characters');
  }
  const ws = createNeonWsBridge();
  const planetscale = createPlanetScaleEndpoint();
  const sqliteFiles = new SqliteFiles(options.sqliteDir ?? join(tmpdir(), 'atrium-local-sqlite'));
  const d1 = createD1Endpoint(sqliteFiles);
  const libsql = createLibsqlEndpoint(sqliteFiles);
  const server = createServer((req, res) => {
    const gate = admit(req, secret);
    if (!gate.ok) return res.writeHead(gate.status).end();
    const { path } = gate;
    const done = (p: Promise<void>) =>
      p.catch((err: unknown) => {
        // Last resort: handlers answer their own errors; this keeps the server alive.
        console.error('[local-endpoints]', err instanceof Error ? err.message : err);
        if (!res.headersSent) res.writeHead(500).end();
      });
    if (path === '/sql') return done(handleNeonHttp(req, res));
    if (path.startsWith('/psdb.v1alpha1.Database/')) return done(planetscale.handle(req, res));
    if (d1.matches(path)) return done(d1.handle(req, res, path));
    if (libsql.matches(path)) return done(libsql.handle(req, res, path));
    if (path === '/health') return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket, head) => {
    const gate = admit(req, secret);
    if (!gate.ok) return socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
    if (gate.path === '/v2') ws.handleUpgrade(req, socket, head).catch(() => socket.destroy());
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const base = `127.0.0.1:${port}/${secret}`;
  return {
    neonHttp: `http://${base}/sql`,
    neonWs: `ws://${base}/v2`,
    planetscale: `http://${base}`,
    d1Http: `http://${base}/client/v4`,
    libsql: `http://${base}/libsql`,
    async close() {
      ws.close();
      planetscale.close();
      d1.close();
      libsql.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
