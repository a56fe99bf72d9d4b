/**
 * A whole-table export over TCP streams through COPY (postgres/pg-copy.ts), over the Neon
 * transport through a cursor of whole-row text (pg-record.ts); a query export of the same SELECT
 * through a plain cursor. The three files must be byte-identical for every format and option.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, jsonInit } from '../../support/auth.ts';
import { SCRATCH, uniqueName } from '../../support/fixtures.ts';
import { createTeam, saveConnection, sqlOk, type Team } from '../../support/team.ts';

let team: Team;
let tcp: string;
let neon: string;
const table = uniqueName('export_copy');

beforeAll(async () => {
  team = await createTeam();
  tcp = await saveConnection(team.owner, 'PG scratch over TCP', { ...SCRATCH.postgres, transport: 'tcp' });
  neon = await saveConnection(team.owner, 'PG scratch over Neon', {
    ...SCRATCH.postgres,
    transport: 'neon-http',
  });
  await sqlOk(team.owner, team.connections.pgScratch, {
    statements: [
      {
        sql: `create table ${table} (id int primary key, label text, amount numeric, at timestamptz,
              doc jsonb, tags text[], raw bytea, flag bool)`,
      },
      {
        sql: `insert into ${table} values
          (1, '=SUM(A1)', -5, '2024-01-02 03:04:05.6+05:30', '{"a": "x,y"}', '{"=q","b c"}', '\\x00ff', true),
          (2, E'tab\\tnew\\nline "quoted", back\\\\slash', 1.50, null, null, null, null, false),
          (3, ' edge ', null, 'infinity', '[]', '{}', '', null),
          (4, '', 0, '2024-06-30 23:59:59+00', 'null', '{NULL}', null, null),
          (5, E'\\\\N', 2, null, '"\\\\N"', null, null, null)`,
      },
      {
        sql: `insert into ${table} (id, label, amount, at)
              select g, '-' || md5(g::text), g * 1.5, '2024-01-01'::timestamptz + g * interval '1 minute'
              from generate_series(10, 3000) g`,
      },
    ],
  });
}, 60_000);

afterAll(async () => {
  await sqlOk(team.owner, team.connections.pgScratch, { sql: `drop table if exists ${table}` });
});

async function download(connectionId: string, params: Record<string, string>): Promise<Uint8Array> {
  const query = new URLSearchParams({ schema: 'public', table, ...params });
  const res = await api(`/api/connections/${encodeURIComponent(connectionId)}/export?${query}`, {
    headers: team.viewer.bearerHeaders,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

/** The same rows as a query export: caller SQL never takes the COPY or whole-row paths. */
async function queryExport(params: Record<string, string>): Promise<Uint8Array> {
  const body = {
    sql: `select * from ${table} order by id`,
    format: params.format,
    escapeFormulas: params.escapeFormulas !== 'false',
  };
  const path = `/api/connections/${encodeURIComponent(neon)}/export`;
  const res = await api(path, jsonInit('POST', body, team.viewer.bearerHeaders));
  expect(res.status, await res.clone().text()).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

it('writes the same bytes through COPY, whole-row text and a plain cursor, for every format and option', async () => {
  for (const params of <Record<string, string>[]>[
    { format: 'csv', escapeFormulas: 'true' },
    { format: 'csv', escapeFormulas: 'false' },
    { format: 'ndjson' },
    { format: 'json' },
  ]) {
    const viaCopy = await download(tcp, params);
    const viaRecord = await download(neon, params);
    const viaCursor = await queryExport(params);
    expect(viaCursor.byteLength, JSON.stringify(params)).toBeGreaterThan(100_000);
    expect(viaCopy, JSON.stringify(params)).toEqual(viaCursor);
    expect(viaRecord, JSON.stringify(params)).toEqual(viaCursor);
  }
});
