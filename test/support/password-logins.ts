/**
 * Logins that need a real password, so wrong-password tests and Hyperdrive (whose binding
 * requires one) run against the local servers: PostgreSQL role `atrium_pw`, which pg_hba.conf
 * makes authenticate with SCRAM-SHA-256 (the local servers trust everyone else on loopback), and
 * MariaDB user `atrium_pw`. Both may read and write `pagila`/`sakila` and `atrium_test`.
 * Idempotent, and run under `flock` like datasets.ts because several vitest runs may start at once.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mariadb, psql } from './sql-shell.ts';

export const PASSWORD_LOGIN = { user: 'atrium_pw', password: 'atrium-pw-2026' } as const;

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const lockFile = '/tmp/atrium-password-logins.lock';
const HBA_LINE = `host all ${PASSWORD_LOGIN.user} 127.0.0.1/32 scram-sha-256`;

function ensurePostgres() {
  const { user, password } = PASSWORD_LOGIN;
  psql(
    'postgres',
    `do $$ begin if not exists (select from pg_roles where rolname = '${user}') then create role ${user} login; end if; end $$`,
  );
  psql('postgres', `set password_encryption = 'scram-sha-256'; alter role ${user} password '${password}'`);
  for (const db of ['pagila', 'atrium_test']) {
    psql(db, `grant all on schema public to ${user}; grant select on all tables in schema public to ${user}`);
  }
  // The role's own line goes first: pg_hba.conf is read top down and the next line trusts loopback.
  const hba = psql('postgres', 'show hba_file');
  const text = readFileSync(hba, 'utf8');
  if (!text.includes(HBA_LINE)) {
    writeFileSync(hba, `${HBA_LINE}\n${text}`);
    psql('postgres', 'select pg_reload_conf()');
  }
}

function ensureMariadb() {
  const { user, password } = PASSWORD_LOGIN;
  mariadb(
    `create user if not exists '${user}'@'%' identified by '${password}';` +
      `alter user '${user}'@'%' identified by '${password}';` +
      `grant all on sakila.* to '${user}'@'%'; grant all on atrium_test.* to '${user}'@'%'`,
  );
}

/** Creates the logins where missing, one process at a time across concurrent runs. */
export function ensurePasswordLogins() {
  const node = `${repoRoot}node_modules/.bin/node`;
  const r = spawnSync('flock', [lockFile, node, fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`creating the password logins failed (exit ${r.status ?? r.signal})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensurePostgres();
  ensureMariadb();
}
