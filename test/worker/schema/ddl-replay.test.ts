/**
 * DDL export round trip of the sample datasets: Pagila's and Sakila's DDL, exported through
 * the API, run into a fresh empty database of the same engine, which then syncs to a snapshot
 * whose schema diff against the original is empty — tables, views, keys, indexes, domains,
 * sequences, routines and triggers — and holds as many of each in its catalog as the original.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaSnapshot } from '../../../worker/engines/schema-model.ts';
import { diffSnapshots, isEmptyDiff } from '../../../worker/schema/diff.ts';
import { createOrg, type TestUser } from '../../support/auth.ts';
import { uniqueName } from '../../support/fixtures.ts';
import { asSource, type RoundTrip, replay } from './round-trip.ts';

let owner: TestUser;
beforeAll(async () => {
  ({ owner } = await createOrg());
});

/** One row of numbers from a database's own catalog, as plain numbers. */
async function counts(trip: RoundTrip, text: string): Promise<Record<string, number>> {
  const [row] = await trip.inCopy([text]);
  return Object.fromEntries(COUNT_NAMES.map((name, i) => [name, Number(row?.[i])]));
}
const COUNT_NAMES = ['tables', 'views', 'routines', 'triggers', 'fks'];

const PG_COUNTS = `select
  (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')),
  (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('v', 'm')),
  (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'),
  (select count(*) from pg_trigger where not tgisinternal),
  (select count(*) from pg_constraint where contype = 'f' and conparentid = 0)`;

const MY_COUNTS = `select
  (select count(*) from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE'),
  (select count(*) from information_schema.views where table_schema = database()),
  (select count(*) from information_schema.routines where routine_schema = database()),
  (select count(*) from information_schema.triggers where trigger_schema = database()),
  (select count(*) from information_schema.referential_constraints where constraint_schema = database())`;

/**
 * The diff must be empty (on failure the assertion prints every difference it found), and so
 * must be whatever the diff does not look at: only when each was synced and the planner's
 * estimates may differ.
 */
function expectEmptyDiff(source: SchemaSnapshot, copy: SchemaSnapshot) {
  const diff = diffSnapshots(source, copy);
  expect(isEmptyDiff(diff) ? null : diff).toBeNull();
  const structure = (s: SchemaSnapshot & { syncedAt?: string }) => ({
    ...s,
    syncedAt: null,
    serverVersion: null,
    tables: s.tables.map((t) => ({ ...t, rowEstimate: null })),
  });
  expect(structure(copy)).toEqual(structure(source));
}

describe('PostgreSQL: Pagila DDL into an empty database', () => {
  let trip: RoundTrip;
  beforeAll(async () => {
    trip = await replay(owner, 'postgres', 'pagila', uniqueName('atrium_rt_pagila'));
  }, 90_000);
  afterAll(() => trip?.drop());

  it('re-creates a schema whose diff against Pagila is empty, routines and triggers included', () => {
    expect(trip.source.programs?.filter((p) => p.kind === 'trigger')).toHaveLength(15);
    expect(trip.copy.sequences).toHaveLength(13);
    expectEmptyDiff(trip.source, trip.copy);
  });

  it('re-creates every routine, trigger, table, view and foreign key in the catalog', async () => {
    expect(await counts(trip, PG_COUNTS)).toEqual({
      tables: 22,
      views: 8,
      routines: 10,
      triggers: 15,
      fks: 36,
    });
    expect(trip.ddl).not.toContain('-- Skipped');
    expect(trip.ddl).toContain(
      'CREATE AGGREGATE public.group_concat(text) (SFUNC = public._group_concat, STYPE = text);',
    );
    expect(trip.ddl).toContain('CREATE DOMAIN "public"."bıgınt" AS bigint;');
  });

  it('creates functions before the views that call them, and triggers after their tables', () => {
    const at = (text: string) => {
      const i = trip.ddl.indexOf(text);
      expect(i, text).toBeGreaterThan(-1);
      return i;
    };
    expect(at('FUNCTION public._group_concat')).toBeLessThan(at('CREATE AGGREGATE'));
    expect(at('CREATE AGGREGATE')).toBeLessThan(at('CREATE VIEW "public"."actor_info"'));
    // rewards_report returns SETOF customer, so it needs the table first.
    expect(at('CREATE TABLE "public"."customer"')).toBeLessThan(at('FUNCTION public.rewards_report'));
    expect(at('CREATE TABLE "public"."actor"')).toBeLessThan(at('CREATE TRIGGER last_updated'));
  });
});

describe('MariaDB: Sakila DDL into an empty database', () => {
  let trip: RoundTrip;
  beforeAll(async () => {
    trip = await replay(owner, 'mysql', 'sakila', uniqueName('atrium_rt_sakila'));
  }, 90_000);
  afterAll(() => trip?.drop());

  it('re-creates a schema whose diff against Sakila is empty, routines and triggers included', () => {
    expect(trip.source.programs?.filter((p) => p.kind === 'trigger')).toHaveLength(6);
    expectEmptyDiff(trip.source, asSource(trip));
  });

  it('re-creates every routine, trigger, table, view and foreign key in the catalog', async () => {
    expect(await counts(trip, MY_COUNTS)).toEqual({
      tables: 16,
      views: 7,
      routines: 6,
      triggers: 6,
      fks: 22,
    });
    expect(trip.ddl).toMatch(/DELIMITER ;;\nCREATE FUNCTION `get_customer_balance`/);
  });

  it('names no source database and no definer', () => {
    expect(trip.ddl).toContain('CREATE VIEW `actor_info` AS');
    expect(trip.ddl).not.toContain('`sakila`.');
    expect(trip.ddl).not.toContain('DEFINER=');
  });
});
