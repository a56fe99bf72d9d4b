/**
 * The D1 side of a sync on its own: a snapshot too big for one batch is staged over
 * several and read back exactly; a re-sync of the same structure refreshes the head in
 * place; a stage that fails half way leaves the published snapshot untouched and its
 * partial rows removable.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SchemaSnapshot, TableInfo } from '../../../worker/engines/schema-model.ts';
import { structureHash } from '../../../worker/schema/diff.ts';
import { readHead } from '../../../worker/schema/head.ts';
import { deleteSnapshot } from '../../../worker/schema/snapshot-drop.ts';
import { loadSnapshot } from '../../../worker/schema/snapshot-read.ts';
import { publishSnapshot, refreshSnapshot, stageSnapshot } from '../../../worker/schema/snapshot-write.ts';
import { createOrg } from '../../support/auth.ts';

function generated(tables: number, columns: number): SchemaSnapshot {
  const list: TableInfo[] = [];
  for (let i = 0; i < tables; i++) {
    const name = `t_${String(i).padStart(5, '0')}`;
    list.push({
      schema: 'app',
      name,
      kind: 'table',
      comment: i % 7 === 0 ? `table ${i} — "commented"` : null,
      rowEstimate: i * 10,
      partitionOf: null,
      definition: null,
      columns: Array.from({ length: columns }, (_, c) => ({
        name: c === 0 ? 'id' : `col_${c}`,
        position: c + 1,
        dataType: c % 3 === 0 ? 'integer' : 'character varying(120)',
        normalizedType: c % 3 === 0 ? ('integer' as const) : ('text' as const),
        nullable: c !== 0,
        default: c === 2 ? "'x'::character varying" : null,
        generated: null,
        identity: c === 0 ? ('by_default' as const) : null,
        onUpdate: null,
        comment: null,
      })),
      primaryKey: { name: `${name}_pkey`, columns: ['id'] },
      foreignKeys:
        i === 0
          ? []
          : [
              {
                name: `${name}_fk`,
                columns: ['col_3'],
                refSchema: 'app',
                refTable: `t_${String(i - 1).padStart(5, '0')}`,
                refColumns: ['id'],
                onUpdate: 'NO ACTION',
                onDelete: 'CASCADE',
              },
            ],
      uniques: [],
      checks: i % 5 === 0 ? [{ name: `${name}_check`, expression: '(col_3 > 0)' }] : [],
      indexes: [
        {
          name: `${name}_pkey`,
          unique: true,
          primary: true,
          method: 'btree',
          parts: [{ column: 'id', expression: null, descending: false }],
          predicate: null,
          definition: `CREATE UNIQUE INDEX ${name}_pkey ON app.${name} USING btree (id)`,
        },
      ],
    });
  }
  return {
    engine: 'postgres',
    serverVersion: '15.0',
    namespaces: [{ name: 'app', comment: null }],
    tables: list,
    enums: [{ schema: 'app', name: 'mood', values: ['ok', "it's"] }],
    sequences: [
      {
        schema: 'app',
        name: 't_00000_id_seq',
        dataType: 'bigint',
        start: '1',
        increment: '1',
        min: '1',
        max: '9223372036854775807',
        cache: '1',
        cycle: false,
        ownedBy: { schema: 'app', table: 't_00000', column: 'id' },
      },
    ],
    domains: [
      {
        schema: 'app',
        name: 'year',
        baseType: 'integer',
        default: null,
        notNull: true,
        checks: [{ name: 'year_check', expression: '(VALUE >= 1901)' }],
      },
    ],
    queryCount: 10,
  };
}

let orgId: string;
beforeAll(async () => {
  ({ orgId } = await createOrg());
});

async function stageAndPublish(connectionId: string, snapshot: SchemaSnapshot, previous: string | null) {
  const snapshotId = crypto.randomUUID();
  const staged = await stageSnapshot(env.DB, {
    orgId,
    connectionId,
    snapshotId,
    snapshot,
    introspectMs: 1,
    structureHash: await structureHash(snapshot),
    now: Date.now(),
  });
  const published = await publishSnapshot(env.DB, {
    orgId,
    connectionId,
    snapshotId,
    previousSnapshotId: previous,
    change: null,
    now: Date.now(),
  });
  return { snapshotId, staged, published };
}

describe('staging', () => {
  it('writes a 1,500-table snapshot over several batches and reads it back exactly', async () => {
    const snapshot = generated(1500, 20);
    const { snapshotId, staged, published } = await stageAndPublish('conn-big', snapshot, null);
    expect(published).toBe(true);
    expect(staged.batches).toBeGreaterThan(1);
    const head = await readHead(env.DB, orgId, 'conn-big');
    expect(head?.snapshotId).toBe(snapshotId);
    expect(await loadSnapshot(env.DB, head!)).toEqual(snapshot);
  });

  it('refreshes an unchanged structure on the head: estimates, version and sync time, only while it is the head', async () => {
    const before = generated(300, 10);
    const first = await stageAndPublish('conn-refresh', before, null);
    const head = (await readHead(env.DB, orgId, 'conn-refresh'))!;
    const after: SchemaSnapshot = structuredClone(before);
    after.serverVersion = '15.1';
    after.tables.forEach((t, i) => {
      t.rowEstimate = i % 2 ? null : i + 0.5;
    });
    expect(await structureHash(after)).toBe(await structureHash(before));
    const refresh = (snapshotId: string, snapshot: SchemaSnapshot, now: number) =>
      refreshSnapshot(env.DB, {
        orgId,
        connectionId: 'conn-refresh',
        snapshotId,
        snapshot,
        introspectMs: 7,
        now,
      });
    // Not the head: nothing is written.
    expect(await refresh('not-the-head', after, head.syncedAt + 1)).toBeNull();
    expect(await readHead(env.DB, orgId, 'conn-refresh')).toEqual(head);

    expect(await refresh(first.snapshotId, after, head.syncedAt + 1)).toBe(3);
    const refreshed = (await readHead(env.DB, orgId, 'conn-refresh'))!;
    expect(refreshed).toMatchObject({
      snapshotId: first.snapshotId,
      version: head.version + 1,
      syncedAt: head.syncedAt + 1,
      serverVersion: '15.1',
      introspectMs: 7,
    });
    expect(await loadSnapshot(env.DB, refreshed)).toEqual(after);
  });

  it('keeps the published snapshot when a later stage fails, and publishes only from the head it saw', async () => {
    const good = generated(20, 5);
    const first = await stageAndPublish('conn-fail', good, null);
    const broken = generated(1200, 20);
    // Two columns at one position violate schema_column's key in the last chunk, batches after the first.
    broken.tables.at(-1)!.columns[1]!.position = 1;
    const snapshotId = crypto.randomUUID();
    await expect(
      stageSnapshot(env.DB, {
        orgId,
        connectionId: 'conn-fail',
        snapshotId,
        snapshot: broken,
        introspectMs: 1,
        structureHash: 'x',
        now: Date.now(),
      }),
    ).rejects.toThrow();
    const head = await readHead(env.DB, orgId, 'conn-fail');
    expect(head?.snapshotId).toBe(first.snapshotId);
    expect(await loadSnapshot(env.DB, head!)).toEqual(good);

    await deleteSnapshot(env.DB, snapshotId);
    const left = await env.DB.prepare('select count(*) as n from schema_table where snapshot_id = ?')
      .bind(snapshotId)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);

    // A sync that diffed against an older head loses the race and publishes nothing.
    const stale = await stageAndPublish('conn-fail', generated(3, 2), 'not-the-head');
    expect(stale.published).toBe(false);
    expect((await readHead(env.DB, orgId, 'conn-fail'))?.snapshotId).toBe(first.snapshotId);
  });
});
