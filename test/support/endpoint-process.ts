/**
 * The local stand-ins (dev/endpoints) in a child process of their own, so a fault test can kill
 * them (SIGKILL) mid-stream like a crashed proxy, and start them again at the same address
 * (same port, secret and SQLite directory) to show Atrium recovers once they are back.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LocalEndpointOptions } from '../../dev/endpoints/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const NODE = existsSync(`${root}node_modules/.bin/node`) ? `${root}node_modules/.bin/node` : process.execPath;
const SCRIPT = `
import { startLocalEndpoints } from './dev/endpoints/index.ts';
const e = await startLocalEndpoints(JSON.parse(process.env.ATRIUM_ENDPOINT_OPTIONS ?? '{}'));
const { neonHttp, neonWs, planetscale, d1Http, libsql } = e;
console.log(JSON.stringify({ neonHttp, neonWs, planetscale, d1Http, libsql }));
`;

export async function spawnEndpoints(
  options: LocalEndpointOptions = {},
): Promise<{ json: string; kill(): Promise<void> }> {
  const child = spawn(NODE, ['--no-warnings', '--input-type=module', '-e', SCRIPT], {
    cwd: root,
    env: { ...process.env, ATRIUM_ENDPOINT_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const json = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`endpoints exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Resolves once the process is gone, so its port is free for a restart.
  return {
    json,
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}
