/**
 * The local Neon/PlanetScale stand-ins in a child process of their own, so a
 * fault test can kill them (SIGKILL) mid-stream like a crashed proxy.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const NODE = existsSync(`${root}node_modules/.bin/node`) ? `${root}node_modules/.bin/node` : process.execPath;
const SCRIPT = `
import { startLocalEndpoints } from './dev/endpoints/index.ts';
const e = await startLocalEndpoints();
console.log(JSON.stringify({ neonHttp: e.neonHttp, neonWs: e.neonWs, planetscale: e.planetscale }));
`;

export async function spawnEndpoints(): Promise<{ json: string; kill(): void }> {
  const child = spawn(NODE, ['--input-type=module', '-e', SCRIPT], {
    cwd: root,
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
  return { json, kill: () => child.kill('SIGKILL') };
}
