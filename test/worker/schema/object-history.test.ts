/**
 * The schema history describes changes to objects that are not tables: a sequence whose
 * increment moved, a domain that gained a CHECK, a sequence added and one dropped, a function
 * whose body changed, an overload and a trigger added — each named with its kind (and a
 * routine's arguments) and the fields that changed, and counted in the summary. The browser
 * lists the same objects in groups of their own, and search finds them.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../worker/engines/create-engine.ts';
import type { Engine } from '../../../worker/engines/engine.ts';
import type { SchemaDiff } from '../../../worker/schema/diff.ts';
import { createOrg, type TestUser } from '../../support/auth.ts';
import { connectionPath, PAGILA, uniqueName } from '../../support/fixtures.ts';
import { saveConnection } from '../../support/team.ts';
import { getJson, sync } from './support.ts';

const database = uniqueName('atrium_fid_hist');
const settings = { ...PAGILA, database };
let owner: TestUser;
let admin: Engine;
let target: Engine;
let connectionId: string;

beforeAll(async () => {
  ({ owner } = await createOrg());
  admin = createEngine({ ...PAGILA, engine: 'postgres', password: null } as never, env);
  await admin.query(`create database "${database}"`);
  target = createEngine({ ...settings, engine: 'postgres', password: null } as never, env);
  for (const sql of [
    'create sequence counter',
    'create sequence doomed_seq',
    'create domain score as integer',
    'create table t (id int primary key, s score)',
    'create function pick(x int) returns int language sql as $$ select x $$',
  ]) {
    await target.query(sql);
  }
  connectionId = await saveConnection(owner, 'Object history', settings);
}, 60_000);

afterAll(async () => {
  await target?.close();
  await admin.query(`drop database if exists "${database}" with (force)`);
  await admin.close();
});

describe('history of sequences and domains', () => {
  it('names each changed object, its kind and the fields that moved', async () => {
    await sync(owner, connectionId);
    for (const sql of [
      'alter sequence counter increment by 5',
      'alter domain score add constraint score_positive check (value > 0)',
      'create sequence fresh_seq',
      'drop sequence doomed_seq',
      'create or replace function pick(x int) returns int language sql as $$ select x + 1 $$',
      'create function pick(x text) returns text language sql as $$ select x $$',
      'create function touch() returns trigger language plpgsql as $$ begin return new; end $$',
      'create trigger t_touch before update on t for each row execute function touch()',
    ]) {
      await target.query(sql);
    }
    const second = await sync(owner, connectionId);
    expect(second.changed).toBe(true);
    expect(second.summary?.objectsChanged).toBe(8);
    expect(second.summary?.tablesChanged).toBe(0);

    const history = await getJson<{ items: { summary: Record<string, number>; diff: SchemaDiff }[] }>(
      owner,
      connectionPath(connectionId, '/schema/history'),
    );
    const { diff } = history.items[0]!;
    expect(diff.objectsAdded).toEqual([
      { kind: 'sequence', schema: 'public', name: 'fresh_seq' },
      { kind: 'function', schema: 'public', name: 'pick', signature: 'x text' },
      { kind: 'function', schema: 'public', name: 'touch', signature: '' },
      { kind: 'trigger', schema: 'public', name: 't_touch', signature: 'BEFORE UPDATE ON t' },
    ]);
    expect(diff.objectsRemoved).toEqual([{ kind: 'sequence', schema: 'public', name: 'doomed_seq' }]);
    expect(diff.objectsChanged).toEqual([
      {
        kind: 'sequence',
        schema: 'public',
        name: 'counter',
        changes: [{ field: 'increment', from: '1', to: '5' }],
      },
      {
        kind: 'domain',
        schema: 'public',
        name: 'score',
        changes: [
          {
            field: 'checks',
            from: [],
            to: [{ name: 'score_positive', expression: '(VALUE > 0)' }],
          },
        ],
      },
      {
        kind: 'function',
        schema: 'public',
        name: 'pick',
        signature: 'x integer',
        changes: [{ field: 'body', from: ' select x ', to: ' select x + 1 ' }],
      },
    ]);
  });

  it('lists them in their own groups and finds them by name', async () => {
    const objects = await getJson<{ items: { kind: string; name: string; detail: string | null }[] }>(
      owner,
      connectionPath(connectionId, '/schema/objects?schema=public'),
    );
    expect(objects.items.map((o) => [o.kind, o.name, o.detail])).toEqual([
      ['domain', 'score', 'integer'],
      ['function', 'pick', 'x integer'],
      ['function', 'pick', 'x text'],
      ['function', 'touch', ''],
      ['sequence', 'counter', 'bigint'],
      ['sequence', 'fresh_seq', 'bigint'],
      ['trigger', 't_touch', 'BEFORE UPDATE ON t'],
    ]);
    const hits = await getJson<{ items: { type: string; object: string | null; detail: string | null }[] }>(
      owner,
      connectionPath(connectionId, '/schema/search?q=pick'),
    );
    expect(hits.items.map((h) => [h.type, h.object, h.detail])).toEqual([
      ['function', 'pick', 'x integer'],
      ['function', 'pick', 'x text'],
    ]);
  });
});
