/**
 * The local SQLite files the D1 (d1-http.ts) and libSQL (libsql-http.ts) stand-ins serve: one
 * directory, one `<name>.sqlite` per database, opened with Node's own `node:sqlite` (Node 22 runs
 * every npm script, so no native addon to build). A name is a D1 database id or a libSQL URL's
 * first path segment; only `[A-Za-z0-9_-]` names are served, so no request reaches a path outside
 * the directory. `chinook` is built from the shared Chinook dataset on first use.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';

/**
 * The API token / auth token both stand-ins accept. It is not the stand-ins' protection (the path
 * secret in gate.ts is); it exists so a wrong token is refused as the real services refuse it.
 */
export const LOCAL_SQLITE_TOKEN = 'atrium-local-token';

/** Request bodies above this are refused (D1 caps a statement at 100 KB; Hrana batches are small). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const NAME = /^[\w-]{1,64}$/;

const chinookSources = [
  fileURLToPath(new URL('../../../shared/datasets/chinook-sqlite/Chinook_Sqlite.sql', import.meta.url)),
  fileURLToPath(new URL('../../migrations/demo/0001_chinook.sql', import.meta.url)),
];

export class SqliteFiles {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  /** The file for `name`, or undefined when the name is not servable or no such database exists. */
  path(name: string): string | undefined {
    if (!NAME.test(name)) return undefined;
    const file = join(this.dir, `${name}.sqlite`);
    if (name === 'chinook' && !existsSync(file)) buildChinook(file);
    return existsSync(file) ? file : undefined;
  }

  /** Creates an empty database (tests, `npm start`); an existing one is kept. */
  create(name: string): string {
    if (!NAME.test(name)) throw new Error(`not a database name: ${name}`);
    const file = join(this.dir, `${name}.sqlite`);
    new DatabaseSync(file).close();
    return file;
  }
}

/**
 * A connection that waits a little for another's write lock rather than failing at once. The wait
 * blocks this whole process (node:sqlite is synchronous), so it stays short: only a libSQL stream
 * left inside a transaction between requests holds a lock that long.
 */
export function openSqlite(file: string): DatabaseSync {
  const db = new DatabaseSync(file);
  db.exec('pragma busy_timeout = 1000');
  return db;
}

function buildChinook(file: string) {
  const source = chinookSources.find((s) => existsSync(s));
  if (!source) return;
  const db = new DatabaseSync(file);
  try {
    db.exec(readFileSync(source, 'utf8'));
  } finally {
    db.close();
  }
}

/** `Authorization: Bearer <token>` with the stand-ins' token. */
export function bearerOk(req: IncomingMessage): boolean {
  return req.headers.authorization === `Bearer ${LOCAL_SQLITE_TOKEN}`;
}

/** The request body as JSON; undefined when it is not JSON or is too large. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** SQLite's primary result-code names, as libSQL and D1 quote them. */
const CODE_NAMES: Record<number, string> = {
  1: 'SQLITE_ERROR',
  5: 'SQLITE_BUSY',
  8: 'SQLITE_READONLY',
  9: 'SQLITE_INTERRUPT',
  13: 'SQLITE_FULL',
  18: 'SQLITE_TOOBIG',
  19: 'SQLITE_CONSTRAINT',
  20: 'SQLITE_MISMATCH',
  23: 'SQLITE_AUTH',
  25: 'SQLITE_RANGE',
};

/** A node:sqlite failure's message and SQLite code name. */
export function sqliteFailure(err: unknown): { message: string; code: string } {
  const e = err as { message?: string; errcode?: number };
  const code = CODE_NAMES[(e.errcode ?? 1) & 0xff] ?? 'SQLITE_ERROR';
  return { message: e.message ?? String(err), code };
}
