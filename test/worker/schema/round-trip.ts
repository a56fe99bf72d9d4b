/**
 * The round trip the fidelity tests hold each engine to: a fixture schema built in a scratch
 * database of our own, synced and exported as DDL through the API, the DDL run into a second
 * empty database, that one synced too, and both snapshots handed back for the schema diff.
 */
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../worker/engines/engine.ts';
import type { SchemaSnapshot } from '../../../worker/engines/schema-model.ts';
import { splitStatements } from '../../../worker/queries/split.ts';
import { api, type TestUser } from '../../support/auth.ts';
import { connectionPath, PAGILA, SAKILA, uniqueName } from '../../support/fixtures.ts';
import { saveConnection } from '../../support/team.ts';
import { getJson, sync } from './support.ts';

export type FixtureEngine = 'postgres' | 'mysql';

/** Each engine's server, on the transport a new connection picks by default (TCP for loopback). */
const SERVER = { postgres: PAGILA, mysql: SAKILA } as const;
const quote = (engine: FixtureEngine, name: string) => (engine === 'postgres' ? `"${name}"` : `\`${name}\``);

export interface RoundTrip {
  source: SchemaSnapshot;
  copy: SchemaSnapshot;
  ddl: string;
  sourceDb: string;
  copyDb: string;
  /** The source's saved connection. */
  sourceId: string;
  /** Runs statements in the copy; the last one's rows. */
  inCopy: (statements: string[]) => Promise<unknown[][]>;
  /** Runs one statement with no database selected (server-wide objects such as logins). */
  inServer: (statement: string) => Promise<void>;
  /** Drops both scratch databases. */
  drop: () => Promise<void>;
}

const open = (engine: FixtureEngine, database?: string): Engine =>
  createEngine(
    { ...SERVER[engine], engine, password: null, ...(database ? { database } : {}) } as never,
    env,
  );

async function run(engine: FixtureEngine, database: string, statements: string[]): Promise<unknown[][]> {
  const target = open(engine, database);
  try {
    let rows: unknown[][] = [];
    for (const sql of statements) rows = (await target.query(sql)).rows;
    return rows;
  } finally {
    await target.close();
  }
}

/** `exportQuery` adds to the export's query string (`&grants=true`). */
export async function roundTrip(
  owner: TestUser,
  engine: FixtureEngine,
  fixture: string[],
  exportQuery = '',
): Promise<RoundTrip> {
  const sourceDb = uniqueName('atrium_fid');
  const admin = open(engine);
  try {
    await admin.query(`create database ${quote(engine, sourceDb)}`);
    await run(engine, sourceDb, fixture);
  } catch (err) {
    await dropDatabases(engine, [sourceDb]);
    throw err;
  } finally {
    await admin.close();
  }
  return replay(owner, engine, sourceDb, `${sourceDb}_copy`, exportQuery, [sourceDb]);
}

async function dropDatabases(engine: FixtureEngine, databases: string[]) {
  const admin = open(engine);
  const force = engine === 'postgres' ? ' with (force)' : '';
  try {
    for (const db of databases) await admin.query(`drop database if exists ${quote(engine, db)}${force}`);
  } finally {
    await admin.close();
  }
}

/**
 * The round trip of a database that already exists (a sample dataset): exported into `copyDb`,
 * which this creates, and which `drop` removes along with each of `owned` (never the source
 * unless it is listed there).
 */
export async function replay(
  owner: TestUser,
  engine: FixtureEngine,
  sourceDb: string,
  copyDb: string,
  exportQuery = '',
  owned: string[] = [],
): Promise<RoundTrip> {
  const drop = () => dropDatabases(engine, [...owned, copyDb]);
  try {
    const admin = open(engine);
    try {
      await admin.query(`create database ${quote(engine, copyDb)}`);
    } finally {
      await admin.close();
    }
    const sourceId = await saveConnection(owner, `Source ${sourceDb}`, {
      ...SERVER[engine],
      database: sourceDb,
    });
    await sync(owner, sourceId);
    const res = await api(connectionPath(sourceId, `/schema/export?format=ddl${exportQuery}`), {
      headers: owner.bearerHeaders,
    });
    expect(res.status).toBe(200);
    const ddl = new TextDecoder().decode(await res.arrayBuffer());
    // Split as psql and the mysql client would: dollar quotes, `DELIMITER ;;` blocks, comments.
    await run(
      engine,
      copyDb,
      splitStatements(ddl, engine).map((s) => s.sql),
    );
    const copyId = await saveConnection(owner, `Copy ${copyDb}`, { ...SERVER[engine], database: copyDb });
    await sync(owner, copyId);
    const snapshot = (id: string) =>
      getJson<SchemaSnapshot>(owner, connectionPath(id, '/schema/export?format=json'));
    const copy = await snapshot(copyId);
    const inCopy = (statements: string[]) => run(engine, copyDb, statements);
    const inServer = async (statement: string) => {
      const server = open(engine);
      try {
        await server.query(statement);
      } finally {
        await server.close();
      }
    };
    return {
      source: await snapshot(sourceId),
      copy,
      ddl,
      sourceDb,
      copyDb,
      sourceId,
      inCopy,
      inServer,
      drop,
    };
  } catch (err) {
    await drop();
    throw err;
  }
}

/**
 * The copy as if it lived in the source's database: on MySQL the database is the namespace,
 * so its name is in every table's key, foreign key and qualified default. Names are unique
 * random strings, so replacing them can touch nothing else.
 */
export const asSource = (trip: RoundTrip): SchemaSnapshot =>
  JSON.parse(JSON.stringify(trip.copy).replaceAll(trip.copyDb, trip.sourceDb));
