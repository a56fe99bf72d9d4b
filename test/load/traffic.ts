/**
 * The mixed HTTP traffic of the load test: each operation is one API call whose answer is
 * checked, not only its status — query rows and exports against the rows the database itself
 * gives (reference.ts), schema reads against information_schema. 429 is the one refusal a
 * client under load may see; it is counted apart.
 */
import type { AtriumClient } from '../support/http-client.ts';
import { ACTORS_SQL, type Checked, normalize, type Reference } from './reference.ts';

export interface Targets {
  client: AtriumClient;
  reference: Reference;
  pg: string;
  my: string;
}

/** null: the answer is right; 'limited': 429; otherwise what was wrong. */
export type Verdict = null | 'limited' | string;

type Operation = (t: Targets, random: () => number) => Promise<Verdict>;

const pick = <T>(items: readonly T[], random: () => number): T =>
  items[Math.floor(random() * items.length)] as T;
const idOf = (map: Map<number, Checked>, random: () => number) =>
  map.get(1 + Math.floor(random() * map.size)) as Checked;
const path = (id: string, rest: string) => `/api/connections/${encodeURIComponent(id)}${rest}`;

async function statusVerdict(res: Response): Promise<Verdict | undefined> {
  if (res.status === 429) return 'limited';
  if (res.status !== 200) return `status ${res.status}: ${(await res.text()).slice(0, 200)}`;
  return undefined;
}

async function query(t: Targets, connection: string, expected: Checked): Promise<Verdict> {
  const res = await t.client.request('POST', path(connection, '/query'), { sql: expected.sql });
  const bad = await statusVerdict(res);
  if (bad !== undefined) return bad;
  const body = (await res.json()) as { results: { rows: unknown[][] }[] };
  const rows = normalize(body.results[0]?.rows ?? []);
  return JSON.stringify(rows) === JSON.stringify(expected.rows)
    ? null
    : `${expected.sql}: got ${JSON.stringify(rows).slice(0, 200)}, database has ${JSON.stringify(expected.rows).slice(0, 200)}`;
}

async function exportActors(t: Targets, connection: string, expected: unknown[][]): Promise<Verdict> {
  const res = await t.client.request('POST', path(connection, '/export'), {
    sql: ACTORS_SQL,
    format: 'ndjson',
  });
  const bad = await statusVerdict(res);
  if (bad !== undefined) return bad;
  const lines = (await res.text()).split('\n').filter((l) => l !== '');
  const rows = normalize(lines.map((l) => Object.values(JSON.parse(l) as Record<string, unknown>)));
  if (rows.length !== expected.length)
    return `export gave ${rows.length} rows, the table has ${expected.length}`;
  return JSON.stringify(rows) === JSON.stringify(expected) ? null : 'export rows differ from the table';
}

async function columns(t: Targets, connection: string, schema: string, table: string, expected: string[]) {
  const res = await t.client.request('GET', path(connection, `/schema?schema=${schema}&table=${table}`));
  const bad = await statusVerdict(res);
  if (bad !== undefined) return bad;
  const names = ((await res.json()) as { items: { name: string }[] }).items.map((c) => c.name);
  return JSON.stringify(names) === JSON.stringify(expected)
    ? null
    : `${schema}.${table} columns ${names.join(',')} ≠ ${expected.join(',')}`;
}

/** Operation name → call; weights say how often each is picked. */
export const OPERATIONS: Record<string, { weight: number; run: Operation }> = {
  health: {
    weight: 1,
    run: async (t) => {
      const res = await fetch(`${t.client.base}/health`);
      const bad = await statusVerdict(res);
      if (bad !== undefined) return bad;
      return ((await res.json()) as { ok?: boolean }).ok === true ? null : 'health not ok';
    },
  },
  'schema postgres': {
    weight: 1,
    run: (t) => columns(t, t.pg, 'public', 'film', t.reference.pgFilmColumns),
  },
  'schema mysql': {
    weight: 1,
    run: (t) => columns(t, t.my, 'sakila', 'actor', t.reference.myActorColumns),
  },
  'query postgres row': { weight: 3, run: (t, r) => query(t, t.pg, idOf(t.reference.pgFilm, r)) },
  'query postgres aggregate': { weight: 1, run: (t, r) => query(t, t.pg, pick(t.reference.pgAggregates, r)) },
  'query mysql row': { weight: 3, run: (t, r) => query(t, t.my, idOf(t.reference.myActor, r)) },
  'query mysql aggregate': { weight: 1, run: (t, r) => query(t, t.my, pick(t.reference.myAggregates, r)) },
  'export postgres': { weight: 1, run: (t) => exportActors(t, t.pg, t.reference.pgActors) },
  'export mysql': { weight: 1, run: (t) => exportActors(t, t.my, t.reference.myActors) },
};

/** Picks an operation by weight. */
export function pickOperation(random: () => number): [string, Operation] {
  const entries = Object.entries(OPERATIONS);
  const total = entries.reduce((n, [, o]) => n + o.weight, 0);
  let x = random() * total;
  for (const [name, op] of entries) {
    x -= op.weight;
    if (x < 0) return [name, op.run];
  }
  const [name, op] = entries[0] as [string, { run: Operation }];
  return [name, op.run];
}
