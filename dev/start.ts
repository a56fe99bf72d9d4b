/**
 * `npm start`: the whole studio on this machine with no external server.
 * Builds the SPA, writes local secrets once, applies D1 migrations (metadata and
 * the Chinook demo), then runs `wrangler dev` on http://localhost:8787.
 */
import { spawn, spawnSync } from 'node:child_process';
import { ensureDevVars } from './dev-vars.ts';

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

ensureDevVars();
run('node_modules/.bin/vite', ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']);
run(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local']);
run(wrangler, ['d1', 'migrations', 'apply', 'DEMO_DB', '--local']);

const child = spawn(
  wrangler,
  ['dev', '--port', port, '--ip', '127.0.0.1', '--show-interactive-dev-session=false'],
  {
    stdio: 'inherit',
    env,
  },
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
