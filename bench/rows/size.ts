import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Row } from '../report.ts';

const KB = 1024;

/** Gzipped Worker bundle (what Cloudflare's size limit counts) and first-load JS of the SPA. */
export function sizeRows(): Row[] {
  const out = '.tmp/bench-build';
  const build = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, {
      encoding: 'utf8',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.slice(-500)}`);
  };
  build('node_modules/.bin/vite', ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']);
  build('node_modules/.bin/wrangler', ['deploy', '--dry-run', '--outdir', out]);

  const workerFiles = readdirSync(out).filter((f) => f.endsWith('.js'));
  const workerGzip = workerFiles.reduce((sum, f) => sum + gzipSync(readFileSync(join(out, f))).length, 0);

  // First load = the entry script plus every chunk index.html preloads.
  const html = readFileSync('dist/web/index.html', 'utf8');
  const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] as string);
  const firstLoad = [...new Set(scripts)].reduce(
    (sum, p) => sum + gzipSync(readFileSync(join('dist/web', p))).length,
    0,
  );
  const allJs = readdirSync('dist/web/assets')
    .filter((f) => f.endsWith('.js'))
    .reduce((sum, f) => sum + statSync(join('dist/web/assets', f)).size, 0);

  return [
    {
      id: 'size.worker',
      group: 'size',
      name: 'Worker bundle, gzipped',
      unit: 'KB',
      atrium: workerGzip / KB,
      reference: { name: 'Cloudflare free-plan limit (3 MB gzipped)', value: 3 * KB, constant: true },
      goal: { le: 1 },
    },
    {
      id: 'size.web.first-load',
      group: 'size',
      name: 'Web app first-load JS, gzipped',
      unit: 'KB',
      atrium: firstLoad / KB,
      reference: { name: 'budget (100 KB gzipped)', value: 100, constant: true },
      goal: { le: 1 },
      note: `all JS chunks together ${(allJs / KB).toFixed(0)} KB raw`,
    },
  ];
}
