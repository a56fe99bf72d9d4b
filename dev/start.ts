/**
 * `npm start`: the whole studio on this machine with no external server.
 * Builds the SPA, writes local secrets once, applies D1 migrations (metadata and
 * the Chinook demo), then runs `wrangler dev` on http://localhost:8787.
 */
import { spawn, spawnSync } from 'node:child_process';
import { ensureDevVars } from './dev-vars.ts';
import { type LocalEndpoints, startLocalEndpoints } from './endpoints/index.ts';
import { answers } from './endpoints/probe.ts';

const wrangler = 'node_modules/.bin/wrangler';
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
const port = process.env.PORT ?? '8787';

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`✘ ${cmd} ${args.join(' ')} failed`);
    process.exit(r.status ?? 1);
  }
}

const devVarsFile = ensureDevVars();
run('node_modules/.bin/vite', ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']);
run(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local']);
run(wrangler, ['d1', 'migrations', 'apply', 'DEMO_DB', '--local']);

// Neon/PlanetScale stand-ins, so Postgres and MySQL connections reach the local servers through
// the same drivers as in production. Started only when a local server answers.
let endpoints: LocalEndpoints | undefined;
const servers = { PostgreSQL: await answers('127.0.0.1', 5432), MariaDB: await answers('127.0.0.1', 3306) };
// Local databases live on loopback, which the host policy refuses in production (worker/connections/host-policy.ts).
const devVars: string[] = ['--var', 'ALLOW_PRIVATE_HOSTS:1'];
if (servers.PostgreSQL || servers.MariaDB) {
  endpoints = await startLocalEndpoints({
    port: Number(process.env.LOCAL_ENDPOINTS_PORT ?? 8790),
    secret: devVarsFile.LOCAL_ENDPOINTS_SECRET,
    // The D1 REST API and libSQL stand-ins serve the SQLite files here (`chinook` is built on first use).
    sqliteDir: '.tmp/local-sqlite',
  });
  const { neonHttp, neonWs, planetscale, d1Http, libsql } = endpoints;
  const urls = { neonHttp, neonWs, planetscale, d1Http, libsql };
  devVars.push('--var', `LOCAL_ENDPOINTS:${JSON.stringify(urls)}`);
  const up = Object.entries(servers).map(([name, ok]) => `${name} ${ok ? 'up' : 'not answering'}`);
  // The URL holds the secret: name only the port.
  console.log(`▶ local database endpoints on 127.0.0.1:${new URL(planetscale).port} (${up.join(', ')})`);
} else {
  console.log(
    '▶ no local PostgreSQL/MariaDB answering: Postgres/MySQL connections will reach only remote services',
  );
}

const child = spawn(
  wrangler,
  ['dev', '--port', port, '--ip', '127.0.0.1', '--show-interactive-dev-session=false', ...devVars],
  {
    stdio: 'inherit',
    env,
  },
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', async (code) => {
  await endpoints?.close();
  process.exit(code ?? 0);
});
