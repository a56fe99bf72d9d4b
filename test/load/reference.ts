/**
 * What the load test checks Atrium's answers against: the same rows read straight from the
 * local PostgreSQL (Pagila) and MariaDB (Sakila) with their own drivers, on loopback, before
 * the traffic starts. The sample databases are read-only for every test, so these stay true.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';

/** A query Atrium runs and the rows the database itself gives for it. */
export interface Checked {
  sql: string;
  rows: unknown[][];
}

export interface Reference {
  /** One query per film id / actor id: a single row each, so a mixed-up answer shows. */
  pgFilm: Map<number, Checked>;
  myActor: Map<number, Checked>;
  /** Aggregates that touch many rows. */
  pgAggregates: Checked[];
  myAggregates: Checked[];
  /** The full actor tables, which an export must reproduce row for row. */
  pgActors: unknown[][];
  myActors: unknown[][];
  /** Column names, in order, of one table per engine (for the schema reads). */
  pgFilmColumns: string[];
  myActorColumns: string[];
}

const FILM = (id: number) => `select film_id, title, length from film where film_id = ${id}`;
const ACTOR = (id: number) => `select actor_id, first_name, last_name from actor where actor_id = ${id}`;
const ACTORS = 'select actor_id, first_name, last_name from actor order by actor_id';
const PG_AGGREGATES = [
  'select count(*)::int as n from rental',
  'select customer_id, count(*)::int as n from rental group by customer_id order by n desc, customer_id limit 5',
  'select rating::text as rating, count(*)::int as n from film group by rating order by rating',
];
const MY_AGGREGATES = [
  'select count(*) as n from rental',
  'select customer_id, count(*) as n from rental group by customer_id order by n desc, customer_id limit 5',
  'select rating, count(*) as n from film group by rating order by rating',
];

export async function readReference(ids: number): Promise<Reference> {
  const pgc = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'pagila' });
  await pgc.connect();
  const my = await mysql.createConnection({
    host: '127.0.0.1',
    port: 3306,
    user: 'root',
    database: 'sakila',
  });
  try {
    const pgRows = async (sql: string) =>
      normalize((await pgc.query({ text: sql, rowMode: 'array' })).rows as unknown[][]);
    const myRows = async (sql: string) =>
      normalize(((await my.query({ sql, rowsAsArray: true })) as unknown as [unknown[][]])[0]);
    const pgFilm = new Map<number, Checked>();
    const myActor = new Map<number, Checked>();
    for (let id = 1; id <= ids; id++) {
      pgFilm.set(id, { sql: FILM(id), rows: await pgRows(FILM(id)) });
      myActor.set(id, { sql: ACTOR(id), rows: await myRows(ACTOR(id)) });
    }
    const columns = async (schema: string, table: string, rows: (sql: string) => Promise<unknown[][]>) =>
      (
        await rows(
          `select column_name from information_schema.columns where table_schema = '${schema}' and table_name = '${table}' order by ordinal_position`,
        )
      ).map((r) => String(r[0]));
    return {
      pgFilm,
      myActor,
      pgAggregates: await each(PG_AGGREGATES, pgRows),
      myAggregates: await each(MY_AGGREGATES, myRows),
      pgActors: await pgRows(ACTORS),
      myActors: await myRows(ACTORS),
      pgFilmColumns: await columns('public', 'film', pgRows),
      myActorColumns: await columns('sakila', 'actor', myRows),
    };
  } finally {
    await pgc.end();
    await my.end();
  }
}

export const ACTORS_SQL = ACTORS;

/** One statement at a time: a driver connection runs one query at once. */
async function each(sqls: string[], rows: (sql: string) => Promise<unknown[][]>): Promise<Checked[]> {
  const out: Checked[] = [];
  for (const sql of sqls) out.push({ sql, rows: await rows(sql) });
  return out;
}

/**
 * Drivers differ in how they carry 64-bit integers (mysql2 and PlanetScale's JSON as strings,
 * pg as numbers after a cast): integers written as strings compare as numbers on both sides.
 */
export function normalize(rows: unknown[][]): unknown[][] {
  return rows.map((r) => r.map((v) => (typeof v === 'string' && /^-?\d{1,15}$/.test(v) ? Number(v) : v)));
}
