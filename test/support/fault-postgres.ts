/**
 * A PostgreSQL cluster of its own for fault tests (Debian's pg_createcluster,
 * port 5439), so stopping it mid-query never disturbs the shared server the
 * other suites use. Real server, real stop: `pg_ctlcluster … stop -m immediate`
 * is what a crash or a pulled plug looks like to a client.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

export const FAULT_PG_PORT = 5439;
const version = () => readdirSync('/etc/postgresql').sort().at(-1) as string;
const ctl = (action: string, ...extra: string[]) =>
  spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version(), 'faults', action, ...extra], {
    encoding: 'utf8',
  });

export function isUp(): boolean {
  return spawnSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(FAULT_PG_PORT)]).status === 0;
}

async function waitFor(up: boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (isUp() !== up) {
    if (Date.now() > deadline) throw new Error(`fault cluster did not become ${up ? 'ready' : 'stopped'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Creates the cluster on first use (trust auth on loopback, like the main one) and starts it. */
export async function startFaultPostgres(): Promise<void> {
  const exists = spawnSync('pg_lsclusters', ['-h'], { encoding: 'utf8' })
    .stdout.split('\n')
    .some((l) => /\sfaults\s/.test(l));
  if (!exists) {
    execFileSync(
      'pg_createcluster',
      [version(), 'faults', '-p', String(FAULT_PG_PORT), '--', '--auth=trust'],
      {
        stdio: 'ignore',
      },
    );
  }
  if (!isUp()) ctl('start');
  await waitFor(true);
}

/** Stops the server the way a crash does: no goodbye to clients. */
export async function crashFaultPostgres(): Promise<void> {
  ctl('stop', '-m', 'immediate');
  await waitFor(false);
}
