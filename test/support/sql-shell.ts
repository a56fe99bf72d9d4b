/**
 * The local servers' own command-line clients, as the test setup's superuser: for setup that
 * must happen outside Atrium (roles, users, grants). Each call throws with the client's message.
 */
import { spawnSync } from 'node:child_process';

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${(r.stderr ?? String(r.error)).slice(0, 1000)}`);
  return r.stdout.trim();
}

/** Runs `sql` in `database` on the local PostgreSQL as `postgres`; returns unaligned output. */
export const psql = (database: string, sql: string) =>
  run('psql', [
    '-X',
    '-At',
    '-v',
    'ON_ERROR_STOP=1',
    '-h',
    '127.0.0.1',
    '-U',
    'postgres',
    '-d',
    database,
    '-c',
    sql,
  ]);

/** Runs `sql` on the local MariaDB as `root`. */
export const mariadb = (sql: string) =>
  run('mariadb', ['--protocol=tcp', '-h127.0.0.1', '-P3306', '-uroot', '-e', sql]);
