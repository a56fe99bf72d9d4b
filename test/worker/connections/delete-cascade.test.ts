/**
 * Deleting a connection drops its synced schema (every snapshot, the head, the history)
 * and unlinks its documents, in the same transaction as the row; other connections'
 * schema and documents are untouched.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../worker/engines/engine.ts';
import { newDocument } from '../../durable-objects/room-client.ts';
import { api, createOrg, type TestUser } from '../../support/auth.ts';
import { SCRATCH } from '../../support/fixtures.ts';
import { saveConnection } from '../../support/team.ts';
import { sync } from '../schema/support.ts';

const schema = `del_${crypto.randomUUID().slice(0, 8)}`;
const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
const SNAPSHOT_TABLES = [
  'schema_namespace',
  'schema_table',
  'schema_column',
  'schema_constraint',
  'schema_index',
  'schema_enum',
  'schema_object',
];
let owner: TestUser;
let engine: Engine;

beforeAll(async () => {
  ({ owner } = await createOrg());
  engine = createEngine({ ...SCRATCH.postgres, engine: 'postgres', password: null } as never, env);
  await engine.script(
    [`create schema ${q(schema)}`, `create table ${q(schema)}.thing (id int primary key)`].map((sql) => ({
      sql,
    })),
  );
});

afterAll(async () => {
  await engine.query(`drop schema if exists ${q(schema)} cascade`);
  await engine.close();
});

const count = async (sql: string, ...binds: unknown[]) =>
  (await env.DB.prepare(`select count(*) as n from ${sql}`)
    .bind(...binds)
    .first<{ n: number }>())!.n;

const snapshotIds = async (connectionId: string) =>
  (
    await env.DB.prepare('select id from schema_snapshot where org_id = ? and connection_id = ?')
      .bind(owner.orgId, connectionId)
      .all<{ id: string }>()
  ).results.map((r) => r.id);

/** Rows of a connection across the schema tables; snapshot rows counted by `ids`. */
async function schemaRows(connectionId: string, ids: string[]): Promise<Record<string, number>> {
  const scoped = 'where org_id = ? and connection_id = ?';
  const out: Record<string, number> = {
    schema_snapshot: await count(`schema_snapshot ${scoped}`, owner.orgId, connectionId),
    schema_head: await count(`schema_head ${scoped}`, owner.orgId, connectionId),
    schema_change: await count(`schema_change ${scoped}`, owner.orgId, connectionId),
  };
  for (const t of SNAPSHOT_TABLES) {
    out[t] = await count(`${t} where snapshot_id in (select value from json_each(?))`, JSON.stringify(ids));
  }
  return out;
}

const documentConnection = async (id: string) =>
  (
    await (
      await api(`/api/documents/${id}`, { headers: owner.bearerHeaders })
    ).json<{
      connectionId: string | null;
    }>()
  ).connectionId;

describe('deleting a connection', () => {
  it('drops its synced schema and unlinks its documents, leaving other connections alone', async () => {
    const doomed = await saveConnection(owner, `Doomed ${schema}`, SCRATCH.postgres);
    const kept = await saveConnection(owner, `Kept ${schema}`, SCRATCH.postgres);
    await sync(owner, doomed);
    await engine.query(`alter table ${q(schema)}.thing add column label text`);
    expect((await sync(owner, doomed)).changed).toBe(true);
    await sync(owner, kept);
    const [linked, other] = await Promise.all([
      newDocument(owner.bearerHeaders, { title: 'Linked', connectionId: doomed }),
      newDocument(owner.bearerHeaders, { title: 'Other', connectionId: kept }),
    ]);

    const ids = await snapshotIds(doomed);
    // The head and the snapshot it replaced (kept for reads that started on it).
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const before = await schemaRows(doomed, ids);
    for (const [table, n] of Object.entries(before)) {
      // Every table holds rows except enums, sequences and domains (the scratch schema need not have any).
      if (table !== 'schema_enum' && table !== 'schema_object') expect(n, table).toBeGreaterThan(0);
    }
    expect(before.schema_change).toBe(1);
    const keptIds = await snapshotIds(kept);
    const keptBefore = await schemaRows(kept, keptIds);

    const res = await api(`/api/connections/${doomed}`, { method: 'DELETE', headers: owner.bearerHeaders });
    expect(res.status).toBe(204);

    const after = await schemaRows(doomed, ids);
    expect(
      Object.values(after).every((n) => n === 0),
      JSON.stringify(after),
    ).toBe(true);
    expect(await schemaRows(kept, keptIds)).toEqual(keptBefore);
    expect(await documentConnection(linked)).toBeNull();
    expect(await documentConnection(other)).toBe(kept);
  }, 60_000);
});
