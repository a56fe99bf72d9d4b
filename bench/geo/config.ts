/**
 * The geography mode's wrangler config: Atrium's own wrangler.toml with `main` pointed at
 * bench/geo/entry.ts and every relative path made absolute, written to a temporary directory
 * (derived at run time, so bindings added to wrangler.toml are never missing here).
 *
 * The Worker is bundled once and served with `no_bundle`: `wrangler dev` otherwise rebuilds and
 * restarts on every change to a source file, which in a shared working tree would empty the
 * isolate's caches in the middle of a warm measurement (or fail a request outright).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export function geoWranglerConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-geo-'));
  const assets = join(dir, 'assets'); // the build needs one; `wrangler dev --assets` serves the real SPA
  mkdirSync(assets);
  const source = readFileSync(join(root, 'wrangler.toml'), 'utf8')
    .replace(
      /^migrations_dir\s*=\s*"\.?\/?(.*)"$/gm,
      (_, path: string) => `migrations_dir = "${join(root, path)}"`,
    )
    .replace(/^directory\s*=\s*".*"$/m, `directory = "${assets}"`);
  const withMain = (main: string, extra = '') =>
    source.replace(/^main\s*=\s*".*"$/m, `main = "${main}"${extra}`);
  const build = join(dir, 'build.toml');
  writeFileSync(build, withMain(join(root, 'bench/geo/entry.ts')));
  const out = join(dir, 'bundle');
  const r = spawnSync(
    join(root, 'node_modules/.bin/wrangler'),
    ['deploy', '--dry-run', '--outdir', out, '--config', build],
    { cwd: root, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  if (r.status !== 0) throw new Error(`bundling the geography Worker failed:\n${r.stdout}\n${r.stderr}`);
  const serve = join(dir, 'wrangler.toml');
  writeFileSync(serve, withMain(join(out, 'entry.js'), '\nno_bundle = true'));
  return serve;
}
