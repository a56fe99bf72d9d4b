/**
 * PostgreSQL schema fidelity as a round trip: a fixture with an extension-backed default,
 * composite and range types, a domain, a trigger-maintained column, declarative partitions
 * (range with a default partition, list), views over functions, a materialized view, row
 * security with a policy, a rule, and table, column and routine grants is exported as DDL (grants asked for), replayed
 * into an empty database, re-synced, and diffed against the source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaSnapshot, TableInfo } from '../../../worker/engines/schema-model.ts';
import { diffSnapshots, isEmptyDiff } from '../../../worker/schema/diff.ts';
import { createOrg, type TestUser } from '../../support/auth.ts';
import { connectionPath } from '../../support/fixtures.ts';
import { POSTGRES_FIXTURE } from './fidelity-fixtures.ts';
import { type RoundTrip, roundTrip } from './round-trip.ts';
import { getJson } from './support.ts';

let trip: RoundTrip;
let owner: TestUser;
beforeAll(async () => {
  ({ owner } = await createOrg());
  trip = await roundTrip(owner, 'postgres', POSTGRES_FIXTURE, '&grants=true');
}, 60_000);
afterAll(() => trip?.drop());

const table = (s: SchemaSnapshot, name: string): TableInfo => {
  const t = s.tables.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
};

describe('PostgreSQL fixture round trip', () => {
  it('the source snapshot holds every object kind of the fixture', () => {
    const { source } = trip;
    const customers = table(source, 'customers');
    expect(customers.columns.find((c) => c.name === 'id')?.default).toBe('uuid_generate_v4()');
    expect(customers.columns.map((c) => c.dataType)).toContain('billing.money_pair');
    expect(table(source, 'measurements')).toMatchObject({
      kind: 'partitioned_table',
      definition: 'RANGE (taken)',
    });
    expect(table(source, 'measurements_rest').partitionOf).toEqual({
      schema: 'public',
      name: 'measurements',
      bound: 'DEFAULT',
    });
    expect(source.sequences?.map((s) => s.name)).toContain('order_no');
    expect(source.domains?.map((d) => d.name)).toEqual(['positive_int']);
    expect(source.programs?.map((p) => [p.kind, p.name, p.signature])).toEqual([
      ['function', 'add_one', 'x integer'],
      ['function', 'customer_label', 'c customers'],
      ['function', 'set_name_upper', ''],
      ['trigger', 'customers_upper', 'BEFORE INSERT OR UPDATE ON customers'],
    ]);
    expect(table(source, 'plus_one').dependsOn?.functions).toEqual(['public.add_one(x integer)']);
  });

  it('lists partitions, routines, triggers, sequences and domains in groups of their own', async () => {
    const { items } = await getJson<{ items: { kind: string; name: string; detail: string | null }[] }>(
      owner,
      connectionPath(trip.sourceId, '/schema/objects?schema=public'),
    );
    expect(items.map((o) => `${o.kind} ${o.name} ${o.detail}`)).toEqual([
      'domain positive_int integer',
      'function add_one x integer',
      'function customer_label c customers',
      'function set_name_upper ',
      "partition events_ab of events: FOR VALUES IN ('a', 'b')",
      "partition measurements_2020 of measurements: FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')",
      'partition measurements_rest of measurements: DEFAULT',
      'sequence order_no bigint',
      'trigger customers_upper BEFORE INSERT OR UPDATE ON customers',
    ]);
  });

  it('exports the extension, types and functions ahead of what uses them', () => {
    const at = (text: string) => {
      const i = trip.ddl.indexOf(text);
      expect(i, text).toBeGreaterThan(-1);
      return i;
    };
    expect(at('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"')).toBeLessThan(
      at('CREATE TABLE "public"."customers"'),
    );
    expect(at('float_range')).toBeLessThan(at('CREATE TABLE "public"."customers"'));
    expect(at('CREATE TABLE "public"."customers"')).toBeLessThan(at('FUNCTION public.customer_label'));
    expect(at('FUNCTION public.add_one')).toBeLessThan(at('CREATE VIEW "public"."plus_one"'));
    expect(trip.ddl).not.toContain('-- Skipped');
    expect(trip.ddl).not.toMatch(/-- Not exported: (type|function|procedure|aggregate|trigger)/);
    // A range type's constructors come with its CREATE TYPE.
    expect(trip.ddl).not.toContain('FUNCTION public.float_range(');
  });

  it('re-creates a schema whose diff against the source is empty', () => {
    const diff = diffSnapshots(trip.source, trip.copy);
    expect(diff).toMatchObject({ tablesAdded: [], tablesRemoved: [], tablesChanged: [], objectsChanged: [] });
    expect(isEmptyDiff(diff)).toBe(true);
    // Only the structure: when each was synced and the planner's estimates differ.
    const structure = (s: SchemaSnapshot & { syncedAt?: string }) => ({
      ...s,
      syncedAt: null,
      serverVersion: null,
      tables: s.tables.map((t) => ({ ...t, rowEstimate: null })),
    });
    expect(structure(trip.copy)).toEqual(structure(trip.source));
  });

  it('re-creates the trigger that maintains a column', async () => {
    const rows = await trip.inCopy([
      "insert into customers (name) values ('Ada')",
      'select name_upper, order_no from customers',
    ]);
    expect(rows).toEqual([['ADA', 1000]]);
  });

  it('re-creates row security, its policy, the rule and the grant', async () => {
    expect(trip.ddl).toContain('GRANT SELECT ON TABLE public.customers TO PUBLIC;');
    const rows = await trip.inCopy([
      `select (select relrowsecurity from pg_class where oid = 'customers'::regclass),
        (select string_agg(policyname || ':' || qual, ',') from pg_policies),
        (select string_agg(rulename, ',') from pg_rules where schemaname = 'public'),
        (select count(*) from audit),
        has_table_privilege('public', 'customers', 'select')`,
    ]);
    // The insert of the trigger test went through the rule into audit.
    expect(rows).toEqual([[true, "ada_only:(name = 'Ada'::text)", 'customers_audit', 1, true]]);
  });

  it('re-creates column grants and the EXECUTE a routine took from PUBLIC', async () => {
    expect(trip.ddl).toContain('GRANT INSERT (name) ON TABLE public.customers TO PUBLIC;');
    expect(trip.ddl).toContain('GRANT UPDATE (name, name_upper) ON TABLE public.customers TO PUBLIC;');
    expect(trip.ddl).toContain('REVOKE EXECUTE ON FUNCTION public.add_one(x integer) FROM PUBLIC;');
    expect(trip.ddl).toContain('GRANT EXECUTE ON FUNCTION public.add_one(x integer) TO pg_monitor;');
    const rows = await trip.inCopy([
      `select has_column_privilege('public', 'customers', 'name', 'insert'),
        has_column_privilege('public', 'customers', 'name_upper', 'insert'),
        has_column_privilege('public', 'customers', 'name_upper', 'update'),
        has_function_privilege('public', 'add_one(int)', 'execute'),
        has_function_privilege('pg_monitor', 'add_one(int)', 'execute'),
        has_function_privilege('public', 'set_name_upper()', 'execute')`,
    ]);
    expect(rows).toEqual([[true, false, true, false, true, true]]);
  });
});
