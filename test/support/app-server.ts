/**
 * The real Atrium for browser tests: the SPA built by Vite, `wrangler dev` with
 * local D1 (migrations applied to a fresh persist directory) and Durable
 * Objects, and the local driver endpoints so connections reach PostgreSQL and
 * MariaDB. Nothing is mocked; each call gets its own data directory and ports.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const WRANGLER = join(root, 'node_modules/wrangler/bin/wrangler.js');
const VITE = join(root, 'node_modules/vite/bin/vite.js');
const START_TIMEOUT_MS = 90_000;

/** Wrangler and Vite need Node >= 22.12; the `node` devDependency provides it even when the system's is older. */
const NODE = existsSync(join(root, 'node_modules/.bin/node'))
  ? join(root, 'node_modules/.bin/node')
  : process.execPath;

export interface AppServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** The user worker's DevTools endpoint (wrangler's inspector proxy; the bench reads heap use there). */
  inspectorUrl: string;
  /** Process group of the current wrangler and its workerd (the benchmark samples its memory). */
  readonly processGroup: number;
  /**
   * Kills the runtime without warning (SIGKILL, like a crash or a deploy), then starts it
   * again on the same port and the same persisted D1/Durable Object state.
   */
  crashAndRestart(): Promise<void>;
  /** Stops wrangler (and its workerd) and removes the data directory; safe to call twice. */
  stop(): Promise<void>;
}

export interface AppServerOptions {
  /** JSON of dev/endpoints `LocalEndpointUrls` (the test global setup provides it); started here when absent. */
  localEndpoints?: string;
  /** Extra `--var`s, e.g. higher rate limits for the benchmark's load. */
  vars?: Record<string, string>;
  /** Another wrangler config with the same bindings (the bench's geography mode, bench/geo/). */
  config?: string;
}

function run(args: string[], env: NodeJS.ProcessEnv, what: string) {
  const r = spawnSync(NODE, args, { cwd: root, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200) return;
    } catch {
      // Not listening yet; keep polling until the deadline.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not become healthy within ${START_TIMEOUT_MS} ms:\n${output()}`);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    // Negative pid: the whole group, so workerd (wrangler's child) goes too.
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** sha256 over the paths and contents of every file under `paths` (relative to the repository). */
function treeHash(paths: string[]): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    const full = join(root, path);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full).sort()) {
        if (name !== 'node_modules' && name !== 'dist') visit(join(path, name));
      }
    } else {
      hash.update(relative(root, full)).update('\0').update(readFileSync(full)).update('\0');
    }
  };
  for (const path of paths) visit(path);
  return hash.digest('hex').slice(0, 16);
}

/** A directory made once per key by `make`, shared by every later caller (other processes too). */
function cached(kind: string, key: string, make: (dir: string) => void): string {
  const cacheRoot = join(tmpdir(), 'atrium-test-cache');
  const final = join(cacheRoot, `${kind}-${key}`);
  if (existsSync(final)) return final;
  mkdirSync(cacheRoot, { recursive: true });
  const building = mkdtempSync(join(cacheRoot, `${kind}-building-`));
  make(building);
  try {
    renameSync(building, final);
  } catch {
    // Another process finished the same build first; theirs is identical.
    rmSync(building, { recursive: true, force: true });
  }
  return final;
}

export async function startAppServer(options: AppServerOptions = {}): Promise<AppServer> {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-app-'));
  const persist = join(dir, 'state');
  const env = { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' };

  // The SPA build and the migrated D1 state depend only on the source, so they are made once per
  // content (keyed by a hash) and shared: each server then costs a copy, not a build and two
  // `wrangler d1 migrations apply` runs. Assets are only read; the state is copied per server.
  const assets = cached('web', treeHash(['web', 'package-lock.json']), (out) =>
    run(
      [
        VITE,
        'build',
        '--config',
        'web/vite.config.ts',
        '--outDir',
        out,
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
      env,
      'vite build',
    ),
  );
  const migrated = cached('d1', treeHash(['migrations', 'wrangler.toml']), (out) => {
    for (const db of ['DB', 'DEMO_DB']) {
      run(
        [WRANGLER, 'd1', 'migrations', 'apply', db, '--local', '--persist-to', out],
        env,
        `migrations for ${db}`,
      );
    }
  });
  cpSync(migrated, persist, { recursive: true });

  let endpoints: { close(): Promise<void> } | undefined;
  let localEndpoints = options.localEndpoints;
  if (!localEndpoints) {
    const { startLocalEndpoints } = await import('../../dev/endpoints/index.ts');
    const started = await startLocalEndpoints();
    endpoints = started;
    localEndpoints = JSON.stringify({
      neonHttp: started.neonHttp,
      neonWs: started.neonWs,
      planetscale: started.planetscale,
    });
  }

  const port = await freePort();
  const inspectorPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const vars = {
    LOCAL_ENDPOINTS: localEndpoints,
    // The test databases are on loopback, which the host policy refuses unless allowed.
    ALLOW_PRIVATE_HOSTS: '1',
    // Fresh secrets for a fresh database; the developer's .dev.vars is never read or needed.
    AUTH_SECRET: randomBytes(32).toString('hex'),
    VAULT_KEYS: `test1:${randomBytes(32).toString('base64')}`,
    ...options.vars,
  };
  const args = [
    WRANGLER,
    'dev',
    ...(options.config ? ['--config', options.config] : []),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    persist,
    '--assets',
    assets,
    '--show-interactive-dev-session=false',
    '--live-reload=false',
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  const launch = () => {
    const started = spawn(NODE, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    return started;
  };
  let child = launch();

  const exited = (proc: ChildProcess) =>
    proc.exitCode !== null || proc.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => proc.once('exit', () => r()));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= shutdown();
    return stopping;
  };
  const shutdown = async () => {
    killGroup(child, 'SIGTERM');
    if (child.exitCode === null) {
      await Promise.race([
        exited(child),
        new Promise((r) => setTimeout(r, 5000)).then(() => killGroup(child, 'SIGKILL')),
      ]);
    }
    await endpoints?.close();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitHealthy(url, child, () => log);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    inspectorUrl: `http://127.0.0.1:${inspectorPort}`,
    stop,
    get processGroup() {
      return child.pid ?? 0;
    },
    async crashAndRestart() {
      const old = child;
      killGroup(old, 'SIGKILL');
      await exited(old);
      child = launch();
      await waitHealthy(url, child, () => log);
    },
  };
}
