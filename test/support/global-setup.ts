/**
 * Node-side setup for the whole run: the sample datasets in the local PostgreSQL and MariaDB,
 * then the local stand-ins for the Neon and PlanetScale services. Their URLs reach the Workers
 * project through `provide('localEndpoints')`, which test/vitest.config.ts hands to miniflare as
 * the `LOCAL_ENDPOINTS` binding, and Node tests read with `inject('localEndpoints')`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { newEndpointSecret } from '../../dev/endpoints/gate.ts';
import { startLocalEndpoints } from '../../dev/endpoints/index.ts';
import { SqliteFiles } from '../../dev/endpoints/sqlite-files.ts';
import { chinookDump } from './chinook-dump.ts';
import { ensureDatasets } from './datasets.ts';
import { ensurePasswordLogins } from './password-logins.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** JSON of dev/endpoints `LocalEndpointUrls`. */
    localEndpoints: string;
    /** Chinook as `sqlite3 .dump` prints it (test/support/chinook-dump.ts), for the hosted-SQLite import. */
    chinookDump: string;
  }
}

export default async function setup(project: TestProject) {
  // `TEST_WITHOUT_DATABASES=1` runs the tests that need no database server (the newcomer's journey
  // on the built-in demo) on a machine where PostgreSQL and MariaDB are stopped, to prove they need none.
  if (process.env.TEST_WITHOUT_DATABASES !== '1') {
    ensureDatasets();
    ensurePasswordLogins();
  }
  // A fresh secret for this run only (see dev/endpoints/gate.ts); it travels inside the URLs.
  // The D1 and libSQL stand-ins' SQLite files (chinook is built on first use), this run's own.
  const sqliteDir = mkdtempSync(join(tmpdir(), 'atrium-test-sqlite-'));
  const sqliteFiles = new SqliteFiles(sqliteDir);
  for (const name of ['scratch', 'replay']) sqliteFiles.create(name);
  const endpoints = await startLocalEndpoints({ secret: newEndpointSecret(), sqliteDir });
  const silent = await startSilentServer();
  const { neonHttp, neonWs, planetscale, d1Http, libsql } = endpoints;
  // `silent` (test-only): a port that accepts connections and never answers, for hang tests.
  project.provide(
    'localEndpoints',
    JSON.stringify({ neonHttp, neonWs, planetscale, d1Http, libsql, silent: silent.address }),
  );
  project.provide('chinookDump', chinookDump());
  return async () => {
    await endpoints.close();
    await silent.close();
    rmSync(sqliteDir, { recursive: true, force: true });
  };
}

/** A TCP server that accepts and then says nothing: a database that stopped answering. */
async function startSilentServer() {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
