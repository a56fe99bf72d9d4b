/**
 * Exports: Chinook's and Sakila's DDL re-create schemas that introspect identically;
 * Pagila's DDL and Markdown dictionary carry tables, partitions, keys and comments.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../worker/engines/engine.ts';
import type { SchemaSnapshot } from '../../../worker/engines/schema-model.ts';
import { splitStatements } from '../../../worker/queries/split.ts';
import { api, createOrg, type TestUser } from '../../support/auth.ts';
import { CHINOOK_ID, connectionPath, PAGILA, SAKILA } from '../../support/fixtures.ts';
import { saveConnection } from '../../support/team.ts';
import { getJson, sync } from './support.ts';

let owner: TestUser;
beforeAll(async () => {
  ({ owner } = await createOrg());
});

async function exportText(connectionId: string, format: string) {
  const res = await api(connectionPath(connectionId, `/schema/export?format=${format}`), {
    headers: owner.bearerHeaders,
  });
  expect(res.status).toBe(200);
  // Read as bytes: workerd warns when .text() meets a non-text/* content type.
  const text = new TextDecoder().decode(await res.arrayBuffer());
  return { text, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition') };
}

const structure = (s: SchemaSnapshot) => s.tables.map((t) => ({ ...t, rowEstimate: null }));

describe('SQLite DDL', () => {
  it('re-creates Chinook so that it introspects the same', async () => {
    await sync(owner, CHINOOK_ID);
    const before = await getJson<SchemaSnapshot>(
      owner,
      connectionPath(CHINOOK_ID, '/schema/export?format=json'),
    );
    const { text, type, disposition } = await exportText(CHINOOK_ID, 'ddl');
    expect(type).toContain('application/sql');
    expect(disposition).toContain('attachment; filename="Chinook demo-schema.sql"');
    const statements = text
      .split(/;\n/)
      .map((s) => s.replace(/^(--[^\n]*\n|\s)+/, '').trim())
      .filter(Boolean);
    await env.DEMO_DB.batch([
      env.DEMO_DB.prepare('pragma defer_foreign_keys = on'),
      ...before.tables.map((t) => env.DEMO_DB.prepare(`drop table "${t.name}"`)),
      ...statements.map((s) => env.DEMO_DB.prepare(s)),
    ]);
    await sync(owner, CHINOOK_ID);
    const after = await getJson<SchemaSnapshot>(
      owner,
      connectionPath(CHINOOK_ID, '/schema/export?format=json'),
    );
    expect(structure(after)).toEqual(structure(before));
  });
});

describe('PostgreSQL DDL and Markdown', () => {
  let pagila: string;
  beforeAll(async () => {
    pagila = await saveConnection(owner, 'Pagila', PAGILA);
    await sync(owner, pagila);
  });

  it('writes Pagila as PostgreSQL DDL', async () => {
    const { text } = await exportText(pagila, 'ddl');
    expect(text).toContain(`CREATE TYPE "public"."mpaa_rating" AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');`);
    expect(text).toMatch(/CREATE TABLE "public"\."payment" \([\s\S]*\) PARTITION BY RANGE \(payment_date\);/);
    expect(text).toContain(
      `CREATE TABLE "public"."payment_p2022_01" PARTITION OF "public"."payment" FOR VALUES FROM ('2022-01-01 00:00:00+00') TO ('2022-02-01 00:00:00+00');`,
    );
    expect(text).toContain(
      `ALTER TABLE "public"."film" ADD CONSTRAINT "film_language_id_fkey" FOREIGN KEY ("language_id") REFERENCES "public"."language" ("language_id") ON UPDATE CASCADE ON DELETE RESTRICT;`,
    );
    expect(text).toContain(`CREATE MATERIALIZED VIEW "public"."rental_by_category" AS`);
    expect(text.match(/FOREIGN KEY/g)).toHaveLength(36);
  });

  it('writes a Markdown data dictionary', async () => {
    const { text, type } = await exportText(pagila, 'markdown');
    expect(type).toContain('text/markdown');
    expect(text).toContain('# Pagila: data dictionary');
    expect(text).toContain('### film');
    expect(text).toMatch(
      /\| 1 \| `film_id` \| integer \| no \| `nextval\('film_film_id_seq'::regclass\)` \| PK \|/,
    );
    expect(text).toContain('- Referenced by public.inventory (film_id)');
    expect(text).toContain('- `mpaa_rating`: `G`, `PG`, `PG-13`, `R`, `NC-17`');
  });
});

describe('MySQL DDL', () => {
  const database = `atrium_ddl_${crypto.randomUUID().slice(0, 8)}`;
  let engine: Engine;
  beforeAll(() => {
    engine = createEngine({ ...SAKILA, engine: 'mysql', password: null } as never, env);
  });
  afterAll(async () => {
    await engine.query(`drop database if exists \`${database}\``);
    await engine.close();
  });

  // Replays all of Sakila (routines and triggers included) and syncs twice: longer than one request.
  it('re-creates Sakila tables, keys and indexes in an empty database', async () => {
    const sakila = await saveConnection(owner, 'Sakila', SAKILA);
    await sync(owner, sakila);
    const before = await getJson<SchemaSnapshot>(owner, connectionPath(sakila, '/schema/export?format=json'));
    const { text } = await exportText(sakila, 'ddl');
    await engine.query(`create database \`${database}\``);
    const copy = await saveConnection(owner, 'Sakila copy', { ...SAKILA, database });
    const target = createEngine({ ...SAKILA, engine: 'mysql', password: null, database } as never, env);
    try {
      // Split as the mysql client would (routines and triggers sit in `DELIMITER ;;` blocks).
      // Views go in too (their bodies no longer name `sakila`); ddl-replay.test.ts compares them.
      for (const { sql } of splitStatements(text, 'mysql')) await target.query(sql);
    } finally {
      await target.close();
    }
    await sync(owner, copy);
    const after = await getJson<SchemaSnapshot>(owner, connectionPath(copy, '/schema/export?format=json'));
    const tables = (s: SchemaSnapshot, schema: string) =>
      s.tables
        .filter((t) => t.kind === 'table')
        .map((t) => ({
          ...t,
          schema: null,
          rowEstimate: null,
          foreignKeys: t.foreignKeys.map((f) => ({
            ...f,
            refSchema: f.refSchema === schema ? null : f.refSchema,
          })),
        }));
    expect(tables(after, database)).toEqual(tables(before, 'sakila'));
  }, 30_000);
});
