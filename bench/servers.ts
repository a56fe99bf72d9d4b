import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export async function freePort(): Promise<number> {
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

/**
 * The user worker of a `wrangler dev` process group: its workerd's pid and its own address.
 * wrangler runs two workerd processes: a proxy on the public port, and the user worker on a
 * port of its own. Memory rows read the user worker's process, and both Atrium and its
 * references are reached at their user worker directly, so no row pays (or hides behind)
 * the proxy's extra hop. `probe` is a path that answers 200 on the user worker.
 */
export async function userWorker(
  processGroup: number,
  publicUrl: string,
  probe: string,
): Promise<{ pid: number; url: string }> {
  const publicPort = new URL(publicUrl).port;
  const pids = spawnSync('pgrep', ['-g', String(processGroup), '-x', 'workerd'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
  const listening = spawnSync('ss', ['-ltnpH'], { encoding: 'utf8' }).stdout.split('\n');
  for (const pid of pids) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes(`entry=127.0.0.1:${publicPort}`)) continue; // the proxy
    for (const line of listening.filter((l) => l.includes(`pid=${pid},`))) {
      const port = line.split(/\s+/)[3]?.split(':').pop();
      const url = `http://127.0.0.1:${port}`;
      const ok = await fetch(`${url}${probe}`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return { pid: Number(pid), url };
    }
  }
  throw new Error(`no user worker answering ${probe} in process group ${processGroup}`);
}

/** Resident memory of a process in MiB, or 0 when it is gone. */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak in MiB. */
export function peakRss(pid: number, everyMs = 50): { stop(): number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMiB(pid));
    },
  };
}

/**
 * A reference Worker under `wrangler dev`: by default bench/reference/direct-driver-worker.ts
 * (the drivers called directly); `config` names another (the rooms' bare relay). It answers
 * `/ping` once up.
 */
export async function startReferenceWorker(
  vars: Record<string, string>,
  config = 'bench/reference/wrangler.toml',
): Promise<{ url: string; processGroup: number; stop(): void }> {
  const port = await freePort();
  const inspector = await freePort();
  const child: ChildProcess = spawn(
    'node_modules/.bin/wrangler',
    [
      'dev',
      '--config',
      config,
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspector),
      // Fresh state per run (the relay's objects), never inside the repository.
      '--persist-to',
      mkdtempSync(join(tmpdir(), 'atrium-bench-ref-')),
      '--show-interactive-dev-session=false',
      ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
    ],
    { detached: true, stdio: 'ignore', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/ping`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('reference worker did not start');
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    processGroup: child.pid ?? 0,
    stop() {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

/** Runs SQL on the local PostgreSQL with psql (setup of benchmark tables). */
export function psql(db: string, sql: string): string {
  const r = spawnSync(
    'psql',
    ['-h', '127.0.0.1', '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout;
}

export function ensurePgDatabase(name: string): void {
  const exists = psql('postgres', `select 1 from pg_database where datname = '${name}'`).trim();
  if (!exists) psql('postgres', `create database ${name}`);
}

/**
 * A reference Yjs server in a child process: its URL, pid (for RSS) and a stop. With `persist`,
 * a SQLite file it appends every update to before relaying (see yjs-ws-server.ts).
 */
export async function spawnReferenceYjsServer(
  persist?: string,
): Promise<{ url: string; pid: number; stop(): void }> {
  const args = ['bench/reference/yjs-ws-server.ts', ...(persist ? [`--persist=${persist}`] : [])];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`reference Yjs server exited with ${code}`)));
  });
  return { url, pid: child.pid ?? 0, stop: () => child.kill() };
}

/**
 * Samples the user worker's V8 heap (DevTools `Runtime.getHeapUsage` through wrangler's inspector
 * proxy) every `everyMs` until stopped; returns the peak used heap in MiB. This is the isolate's
 * memory, the figure Cloudflare's 128 MB limit applies to; RSS also counts workerd itself. With
 * `live`, each sample first runs a full garbage collection, so the peak is of live memory (what
 * the work holds), not of garbage V8 had not yet collected; that slows the work being measured.
 */
export async function peakHeap(
  inspectorUrl: string,
  { everyMs = 50, live = false } = {},
): Promise<{ stop(): Promise<number> }> {
  const targets = (await (await fetch(`${inspectorUrl}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error('no DevTools target for the user worker');
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let peak = 0;
  let asked = 0;
  ws.on('message', (data) => {
    const reply = JSON.parse(String(data)) as { result?: { usedSize?: number } };
    if (reply.result?.usedSize) peak = Math.max(peak, reply.result.usedSize / 1024 / 1024);
  });
  const ask = () => {
    if (live) ws.send(JSON.stringify({ id: ++asked, method: 'HeapProfiler.collectGarbage' }));
    ws.send(JSON.stringify({ id: ++asked, method: 'Runtime.getHeapUsage' }));
  };
  ask();
  const timer = setInterval(ask, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      ask();
      await new Promise((r) => setTimeout(r, 200));
      ws.close();
      return peak;
    },
  };
}
