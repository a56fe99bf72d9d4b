/**
 * Loads the shared sample databases into the local servers: Pagila into PostgreSQL database
 * `pagila`, Sakila into MariaDB database `sakila`, plus an empty scratch database `atrium_test`
 * on each server for tests that write. Loading happens only when a database is absent or its
 * row counts are off (a half-finished load), so a warm machine pays one query per server.
 *
 * Several vitest runs may start at once (helpers, CI retries), so `ensureDatasets()` re-runs
 * this file as a child under `flock`: one loader at a time, the others wait and then find the
 * data in place.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** `shared/` sits beside the repository, both on this machine and in CI's clean clone. */
export const datasetsDir = fileURLToPath(new URL('../../../shared/datasets/', import.meta.url));
const lockFile = '/tmp/atrium-datasets.lock';

export const PAGILA = {
  database: 'pagila',
  counts: { rental: 16044, payment: 16049, film: 1000, actor: 200 },
};
export const SAKILA = {
  database: 'sakila',
  counts: { rental: 16044, payment: 16049, film: 1000, film_text: 1000, staff: 2 },
};
export const SCRATCH_DATABASE = 'atrium_test';

const pgEnv = {
  ...process.env,
  PGHOST: process.env.PGHOST ?? '127.0.0.1',
  PGPORT: process.env.PGPORT ?? '5432',
  PGUSER: process.env.PGUSER ?? 'postgres',
};
const mariadbArgs = ['--protocol=tcp', '-h127.0.0.1', '-P3306', '-uroot'];

function run(cmd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, {
    input: options.input,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

function must(what: string, r: { ok: boolean; stderr: string }) {
  if (!r.ok) throw new Error(`${what} failed: ${r.stderr.trim().slice(0, 2000)}`);
}

const psql = (database: string, sql: string) =>
  run('psql', ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', sql], { env: pgEnv });
const mariadb = (sql: string) => run('mariadb', [...mariadbArgs, '-N', '-B', '-e', sql]);

/** True when every listed table has exactly the expected number of rows. */
function countsMatch(
  query: (sql: string) => { ok: boolean; stdout: string },
  counts: Record<string, number>,
) {
  const expected = Object.values(counts).join('|');
  const r = query(`select ${Object.keys(counts).map((t) => `(select count(*) from ${t})`)}`);
  // psql -At separates columns with '|', mariadb -B with tabs.
  return r.ok && r.stdout.trim().replaceAll('\t', '|') === expected;
}

function ensurePagila() {
  const countSql = (sql: string) => psql(PAGILA.database, sql);
  if (countsMatch(countSql, PAGILA.counts)) return;
  console.log('[datasets] loading Pagila into PostgreSQL database "pagila"');
  // The dump's ALTER ... OWNER TO postgres needs that role, which is also the role we connect as.
  must('drop pagila', psql('postgres', 'drop database if exists pagila with (force)'));
  must('create pagila', psql('postgres', 'create database pagila'));
  for (const file of ['pagila-schema.sql', 'pagila-data.sql']) {
    must(
      `psql ${file}`,
      run(
        'psql',
        ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'pagila', '-f', `${datasetsDir}pagila-postgres/${file}`],
        {
          env: pgEnv,
        },
      ),
    );
  }
  if (!countsMatch(countSql, PAGILA.counts)) throw new Error('Pagila loaded but its row counts are off');
}

function ensureSakila() {
  const countSql = (sql: string) => mariadb(`use sakila; ${sql}`);
  if (countsMatch(countSql, SAKILA.counts)) return;
  console.log('[datasets] loading Sakila into MariaDB database "sakila"');
  // The schema script itself drops and recreates `sakila`, so a partial load is simply redone.
  for (const file of ['sakila-mv-schema.sql', 'sakila-mv-data.sql']) {
    must(
      `mariadb < ${file}`,
      run('sh', [
        '-c',
        `mariadb ${mariadbArgs.join(' ')} < "$1"`,
        'sh',
        `${datasetsDir}sakila-mariadb/${file}`,
      ]),
    );
  }
  if (!countsMatch(countSql, SAKILA.counts)) throw new Error('Sakila loaded but its row counts are off');
}

function ensureScratch() {
  const exists = psql('postgres', `select 1 from pg_database where datname = '${SCRATCH_DATABASE}'`);
  must('look up atrium_test', exists);
  if (exists.stdout.trim() !== '1')
    must('create atrium_test', psql('postgres', `create database ${SCRATCH_DATABASE}`));
  must('create MariaDB atrium_test', mariadb(`create database if not exists ${SCRATCH_DATABASE}`));
  // Each PlanetScale-style session holds a server connection until it idles out (the driver
  // never closes sessions); parallel test files open hundreds. The default 151 is too few.
  must('raise MariaDB max_connections', mariadb('set global max_connections = 1000'));
}

function loadAll() {
  if (!existsSync(datasetsDir)) throw new Error(`datasets not found at ${datasetsDir}`);
  ensurePagila();
  ensureSakila();
  ensureScratch();
}

/** Loads what is missing, one process at a time across concurrent runs. */
export function ensureDatasets() {
  const node = `${repoRoot}node_modules/.bin/node`;
  const r = spawnSync('flock', [lockFile, node, fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`loading the sample datasets failed (exit ${r.status ?? r.signal})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) loadAll();
