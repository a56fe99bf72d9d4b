/**
 * Chinook as `sqlite3 .dump` writes it (PRAGMA, BEGIN TRANSACTION, one INSERT a row, COMMIT):
 * the file a newcomer imports into a hosted database. Built from the shared dataset's script by
 * the sqlite3 shell itself (.ci/run installs it), so the test reads a real dump, not an imitation.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(
  new URL('../../../shared/datasets/chinook-sqlite/Chinook_Sqlite.sql', import.meta.url),
);

export function chinookDump(): string {
  return execFileSync('sqlite3', [':memory:', `.read ${SCRIPT}`, '.dump'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}
