/**
 * Sync lifecycle on a real PostgreSQL scratch schema: history diffs, invalidation by
 * `invalidateSchema`, cursor pagination over a few hundred tables, and who may do what.
 * Other suites share the scratch database, so assertions look only at this run's schema.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../worker/app.ts';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../worker/engines/engine.ts';
import { invalidateSchema } from '../../../worker/schema/cache.ts';
import type { SchemaDiff } from '../../../worker/schema/diff.ts';
import { addMember, api, createOrg, jsonInit, type TestUser } from '../../support/auth.ts';
import { connectionPath, SCRATCH } from '../../support/fixtures.ts';
import { saveConnection } from '../../support/team.ts';
import { getJson, sync } from './support.ts';

const schema = `hist_${crypto.randomUUID().slice(0, 8)}`;
const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
let owner: TestUser;
let engine: Engine;
let connectionId: string;

interface HistoryBody {
  items: { id: string; createdAt: string; summary: Record<string, number>; diff: SchemaDiff }[];
  nextCursor: string | null;
}
interface DetailBody {
  snapshot: { id: string; version: number; stale: boolean };
  table: { columns: { name: string; dataType: string }[] };
}

/** This run's part of a history entry. */
const mine = (diff: SchemaDiff) => ({
  added: diff.tablesAdded.filter((t) => t.schema === schema).map((t) => t.name),
  removed: diff.tablesRemoved.filter((t) => t.schema === schema).map((t) => t.name),
  changed: diff.tablesChanged.filter((t) => t.schema === schema),
});

beforeAll(async () => {
  ({ owner } = await createOrg());
  engine = createEngine({ ...SCRATCH.postgres, engine: 'postgres', password: null } as never, env);
  await engine.script(
    [
      `create schema ${q(schema)}`,
      `create table ${q(schema)}.parent (id int primary key)`,
      `create table ${q(schema)}.child (id int primary key, name text, old_col int, parent_id int)`,
      `create table ${q(schema)}.doomed (id int)`,
    ].map((sql) => ({ sql })),
  );
  connectionId = await saveConnection(owner, `History ${schema}`, SCRATCH.postgres);
});

afterAll(async () => {
  await engine.query(`drop schema if exists ${q(schema)} cascade`);
  await engine.close();
});

describe('history', () => {
  it('records what changed between two syncs, and nothing when nothing did', async () => {
    await sync(owner, connectionId);
    await engine.script(
      [
        `alter table ${q(schema)}.child add column email varchar(200) not null default ''`,
        `alter table ${q(schema)}.child drop column old_col`,
        `alter table ${q(schema)}.child alter column name set not null`,
        `alter table ${q(schema)}.child add constraint child_parent_fk foreign key (parent_id) references ${q(schema)}.parent (id)`,
        `create index child_email_idx on ${q(schema)}.child (email)`,
        `drop table ${q(schema)}.doomed`,
        `create table ${q(schema)}.newcomer (id int)`,
      ].map((sql) => ({ sql })),
    );
    const second = await sync(owner, connectionId);
    expect(second.changed).toBe(true);
    expect(new Date(second.syncedAt).toISOString()).toBe(second.syncedAt);

    const history = await getJson<HistoryBody>(owner, connectionPath(connectionId, '/schema/history'));
    const entry = history.items.find((i) => mine(i.diff).changed.length > 0);
    expect(entry).toBeDefined();
    const { added, removed, changed } = mine(entry!.diff);
    expect(added).toEqual(['newcomer']);
    expect(removed).toEqual(['doomed']);
    expect(changed).toHaveLength(1);
    const child = changed[0]!;
    expect(child.name).toBe('child');
    expect(child.columnsAdded).toEqual([
      { name: 'email', dataType: 'character varying(200)', nullable: false },
    ]);
    expect(child.columnsRemoved).toEqual([{ name: 'old_col', dataType: 'integer' }]);
    expect(child.columnsChanged).toEqual([
      { name: 'name', changes: [{ field: 'nullable', from: true, to: false }] },
    ]);
    expect(child.keysAdded).toEqual([
      expect.objectContaining({ type: 'foreign_key', name: 'child_parent_fk' }),
    ]);
    expect(child.indexesAdded.map((i) => i.name)).toEqual(['child_email_idx']);
    expect(entry!.summary.tablesAdded).toBeGreaterThanOrEqual(1);

    await sync(owner, connectionId);
    const after = await getJson<HistoryBody>(owner, connectionPath(connectionId, '/schema/history'));
    const touchingMine = after.items.filter((i) => {
      const m = mine(i.diff);
      return m.added.length + m.removed.length + m.changed.length > 0;
    });
    expect(touchingMine).toHaveLength(1);
  });
});

describe('cache and invalidation', () => {
  const app = createApp();
  const get = (url: string) => app.request(url, { headers: owner.bearerHeaders }, env);
  const columnsOfChild = async () => {
    const res = await get(connectionPath(connectionId, `/schema/tables/${schema}/child`));
    expect(res.status).toBe(200);
    return res.json<DetailBody>();
  };

  it('serves the synced copy until invalidateSchema, then re-syncs on the next read', async () => {
    await sync(owner, connectionId);
    const before = await columnsOfChild();
    expect(before.table.columns.map((c) => c.name)).not.toContain('added_later');

    // A change made behind Atrium's back stays invisible: reads come from the synced copy.
    await engine.query(`alter table ${q(schema)}.child add column added_later int`);
    const cached = await columnsOfChild();
    expect(cached.snapshot.id).toBe(before.snapshot.id);
    expect(cached.table.columns.map((c) => c.name)).not.toContain('added_later');

    await invalidateSchema(env, connectionId);
    const fresh = await columnsOfChild();
    expect(fresh.snapshot.id).not.toBe(before.snapshot.id);
    expect(fresh.snapshot.version).toBeGreaterThan(before.snapshot.version);
    expect(fresh.snapshot.stale).toBe(false);
    expect(fresh.table.columns.map((c) => c.name)).toContain('added_later');
  });
});

describe('DDL through the query API', () => {
  it('makes the next schema read re-sync', async () => {
    await sync(owner, connectionId);
    const url = connectionPath(connectionId, `/schema/tables/${schema}/parent`);
    const before = await getJson<DetailBody>(owner, url);
    const res = await api(
      connectionPath(connectionId, '/query'),
      jsonInit(
        'POST',
        { sql: `alter table ${q(schema)}.parent add column via_atrium text`, readOnly: false },
        owner.bearerHeaders,
      ),
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const after = await getJson<DetailBody>(owner, url);
    expect(after.snapshot.id).not.toBe(before.snapshot.id);
    expect(after.table.columns.map((c) => c.name)).toEqual(['id', 'via_atrium']);
  });
});

describe('pagination', () => {
  const TABLES = 300;
  beforeAll(async () => {
    await engine.query(
      `do $$ begin for i in 1..${TABLES} loop
        execute format('create table %I.%I (id int primary key, parent_id int references %I.parent (id), label text)',
          '${schema}', 'gen_' || lpad(i::text, 4, '0'), '${schema}');
      end loop; end $$`,
    );
    await sync(owner, connectionId);
  });

  it('walks every table of a schema with cursors, in order, without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs: string = `?schema=${encodeURIComponent(schema)}&limit=70${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: { items: { name: string; foreignKeyCount: number }[]; nextCursor: string | null } =
        await getJson(owner, connectionPath(connectionId, `/schema${qs}`));
      expect(page.items.length).toBeLessThanOrEqual(70);
      seen.push(...page.items.map((t) => t.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    const generated = seen.filter((n) => n.startsWith('gen_'));
    expect(generated).toHaveLength(TABLES);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    expect(pages).toBe(Math.ceil(seen.length / 70));
  });

  it('lists schemas with table counts and columns on demand', async () => {
    const top = await getJson<{ level: string; items: { name: string; tableCount: number }[] }>(
      owner,
      connectionPath(connectionId, '/schema?limit=500'),
    );
    expect(top.level).toBe('schemas');
    expect(top.items.find((s) => s.name === schema)?.tableCount).toBeGreaterThanOrEqual(TABLES + 3);
    const cols = await getJson<{
      level: string;
      items: { name: string; isPrimaryKey: boolean; isForeignKey: boolean }[];
    }>(owner, connectionPath(connectionId, `/schema?schema=${schema}&table=gen_0042`));
    expect(cols.level).toBe('columns');
    expect(cols.items.map((c) => [c.name, c.isPrimaryKey, c.isForeignKey])).toEqual([
      ['id', true, false],
      ['parent_id', false, true],
      ['label', false, false],
    ]);
  });

  it('refuses a cursor it did not make', async () => {
    const res = await api(connectionPath(connectionId, `/schema?schema=${schema}&cursor=not-a-cursor`), {
      headers: owner.bearerHeaders,
    });
    expect(res.status).toBe(400);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe('invalid_cursor');
  });

  it('draws the ER graph of the schema with foreign keys as edges', async () => {
    const erd = await getJson<{
      nodes: { id: string }[];
      edges: { from: string; to: string; fromColumns: string[] }[];
    }>(owner, connectionPath(connectionId, `/schema/erd?schema=${schema}`));
    expect(erd.nodes.length).toBeGreaterThanOrEqual(TABLES + 3);
    const toParent = erd.edges.filter((e) => e.to === `${schema}.parent`);
    expect(toParent.length).toBe(TABLES + 1);
    expect(toParent.find((e) => e.from === `${schema}.gen_0001`)?.fromColumns).toEqual(['parent_id']);
  });
});

describe('authorization', () => {
  it('lets viewers browse but not sync, and hides the schema from other organizations', async () => {
    const viewer = await addMember({ orgId: owner.orgId, owner }, 'viewer');
    const editor = await addMember({ orgId: owner.orgId, owner }, 'editor');
    const stranger = (await createOrg()).owner;
    expect(
      (await api(connectionPath(connectionId, '/schema'), { headers: viewer.bearerHeaders })).status,
    ).toBe(200);
    expect(
      (await api(connectionPath(connectionId, '/sync'), jsonInit('POST', {}, viewer.bearerHeaders))).status,
    ).toBe(403);
    expect(
      (await api(connectionPath(connectionId, '/sync'), jsonInit('POST', {}, editor.bearerHeaders))).status,
    ).toBe(200);
    const audited = await env.DB.prepare(
      `select count(*) as n from audit_log where organization_id = ? and actor_id = ? and action = 'schema.sync'
        and target = ? and outcome = 'success'`,
    )
      .bind(owner.orgId, editor.userId, `connection:${connectionId}`)
      .first<{ n: number }>();
    expect(audited?.n).toBe(1);
    expect(
      (await api(connectionPath(connectionId, '/schema'), { headers: stranger.bearerHeaders })).status,
    ).toBe(404);
    expect(
      (await api(connectionPath(connectionId, '/schema/history'), { headers: stranger.bearerHeaders }))
        .status,
    ).toBe(404);
    expect(
      (await api(connectionPath(connectionId, '/sync'), jsonInit('POST', {}, stranger.bearerHeaders))).status,
    ).toBe(404);
    expect((await api(connectionPath(connectionId, '/schema'))).status).toBe(401);
  });
});
