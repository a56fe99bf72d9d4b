/** A team (owner, editor, viewer) with saved connections, and the query calls the API tests make. */
import { addMember, api, createOrg, jsonInit, type TestUser } from './auth.ts';
import { connectionPath, PAGILA, SAKILA, SCRATCH } from './fixtures.ts';

/** Saves a connection as `owner` and returns its id. */
export async function saveConnection(owner: TestUser, name: string, settings: object): Promise<string> {
  const res = await api('/api/connections', jsonInit('POST', { name, ...settings }, owner.bearerHeaders));
  if (res.status !== 201) throw new Error(`connection create failed: ${res.status} ${await res.text()}`);
  return (await res.json<{ id: string }>()).id;
}

export interface Team {
  owner: TestUser;
  editor: TestUser;
  viewer: TestUser;
  orgId: string;
  connections: { pagila: string; sakila: string; pgScratch: string; myScratch: string };
}

/** An org with an owner, an editor and a viewer, and saved connections to the sample and scratch databases. */
export async function createTeam(): Promise<Team> {
  const org = await createOrg();
  const [editor, viewer] = await Promise.all([addMember(org, 'editor'), addMember(org, 'viewer')]);
  const [pagila, sakila, pgScratch, myScratch] = await Promise.all([
    saveConnection(org.owner, 'Pagila', PAGILA),
    saveConnection(org.owner, 'Sakila', SAKILA),
    saveConnection(org.owner, 'PG scratch', SCRATCH.postgres),
    saveConnection(org.owner, 'MySQL scratch', SCRATCH.mysql),
  ]);
  return {
    owner: org.owner,
    editor,
    viewer,
    orgId: org.orgId,
    connections: { pagila, sakila, pgScratch, myScratch },
  };
}

export interface StatementResultBody {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  affectedRows: number | null;
  truncated: boolean;
  command: string | null;
  notices: string[];
  durationMs: number;
}
export interface QueryBody {
  results: StatementResultBody[];
  readOnly: boolean;
  cached: boolean;
}
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function query(user: TestUser, connectionId: string, body: object): Promise<Response> {
  return api(connectionPath(connectionId, '/query'), jsonInit('POST', body, user.bearerHeaders));
}

/** POST /api/connections/:id/export: streams one read-only statement as a file. */
export function exportQuery(user: TestUser, connectionId: string, body: object): Promise<Response> {
  return api(connectionPath(connectionId, '/export'), jsonInit('POST', body, user.bearerHeaders));
}

/** Runs SQL that must succeed and returns its results. */
export async function sqlOk(user: TestUser, connectionId: string, body: object): Promise<QueryBody> {
  const res = await query(user, connectionId, body);
  if (res.status !== 200) throw new Error(`query failed: ${res.status} ${await res.text()}`);
  return res.json<QueryBody>();
}
