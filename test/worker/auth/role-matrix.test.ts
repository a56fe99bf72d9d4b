/**
 * One role matrix for the whole API: every operation of /api/openapi.json × nine principals,
 * with the expected status computed from the policy table (worker/auth/policy.ts), never
 * written by hand. A documented operation without a row here fails the suite, and so does a
 * row for an operation that is no longer documented.
 *
 * Requests are valid, so they reach authorization (ids are real, bodies match the schema);
 * destructive rows act on a throwaway target made for each principal, so one principal's
 * success cannot change what the next one sees.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Action, can, type Role } from '../../../worker/auth/policy.ts';
import {
  addMember,
  api,
  cookieHeadersFrom,
  createPrincipals,
  jsonInit,
  makeToken,
  type Principal,
  type PrincipalSet,
  TEST_ORIGIN,
  type TestUser,
  uniqueEmail,
} from '../../support/auth.ts';
import { PAGILA, SCRATCH, uniqueName } from '../../support/fixtures.ts';
import { saveConnection, sqlOk } from '../../support/team.ts';

const NAMES = [
  'anonymous',
  'viewer',
  'editor',
  'admin',
  'owner',
  'other-org',
  'viewer-token',
  'revoked-token',
  'expired-token',
] as const;
type Name = (typeof NAMES)[number];
type Who = { name: Name; headers: Record<string, string>; user?: TestUser };

interface Fixtures {
  p: PrincipalSet;
  owner: TestUser;
  admin: TestUser;
  /** Read-only work: schema, export, query. */
  pagila: string;
  /** Row writes go to a table of our own in the scratch database. */
  scratch: string;
  table: string;
  savedId: string;
  documentId: string;
}

/**
 * How a route is gated. `public`: anyone (a dead Bearer header is still refused under /api);
 * `signed-in`: any session or live token; an Action: the policy decides by role.
 */
type Gate = 'public' | 'signed-in' | Action;

interface Row {
  gate: Gate;
  ok: number;
  /** p.org's resource (404 for the outsider) or the caller's own active org (the outsider, an owner, succeeds). */
  scope: 'p.org' | 'own';
  /** Status for a role below the gate (404 where the target is someone else's and must not be probed). */
  denied?: number;
  /** Cross-org actions are for sessions only: the status every token gets. */
  sessionOnly?: number;
  /** Outside /api (no auth middleware): dead tokens are ignored. */
  outsideApi?: boolean;
  run: (f: Fixtures, who: Who) => Promise<Response>;
}

const ROLE_OF: Partial<Record<Name, Role>> = {
  viewer: 'viewer',
  editor: 'editor',
  admin: 'admin',
  owner: 'owner',
  // The outsider owns its own org; the viewer-ceiling token belongs to p.org's owner.
  'other-org': 'owner',
  'viewer-token': 'viewer',
};

/** The status the policy table says `name` must get on `row`. */
function expected(row: Row, name: Name): number {
  if (name === 'revoked-token' || name === 'expired-token') return row.outsideApi ? row.ok : 401;
  if (name === 'anonymous') return row.gate === 'public' ? row.ok : 401;
  if (name === 'viewer-token' && row.sessionOnly !== undefined) return row.sessionOnly;
  const role = ROLE_OF[name] as Role;
  if (row.gate !== 'public' && row.gate !== 'signed-in' && !can(role, row.gate)) return row.denied ?? 403;
  if (name === 'other-org' && row.scope === 'p.org') return 404;
  return row.ok;
}

const enc = encodeURIComponent;
const call = (who: Who, method: string, path: string, body?: unknown) =>
  api(path, body === undefined ? { method, headers: who.headers } : jsonInit(method, body, who.headers));
const own = (f: Fixtures) => f.owner.cookieHeaders;

async function created<T>(res: Promise<Response>, what: string): Promise<T> {
  const r = await res;
  if (r.status !== 200 && r.status !== 201) throw new Error(`${what}: ${r.status} ${await r.text()}`);
  return r.json<T>();
}

/** A fresh hosted database in p.org (each row acts on its own, so a drop changes nothing for the next). */
const hostedIn = (f: Fixtures) =>
  created<{ id: string; name: string }>(
    api('/api/hosted-databases', jsonInit('POST', { name: uniqueName('hosted') }, own(f))),
    'hosted database',
  );

/** A second session of the same user, for rows that end or re-point a session. */
async function freshSession(who: Who): Promise<Record<string, string>> {
  if (!who.user || !who.headers.Cookie) return who.headers;
  const res = await api(
    '/api/auth/sign-in/email',
    jsonInit('POST', { email: who.user.email, password: who.user.password }, { origin: TEST_ORIGIN }),
  );
  return cookieHeadersFrom(res);
}

const conn = (f: Fixtures, rest = '') => `/api/connections/${enc(f.pagila)}${rest}`;
const rowsPath = (f: Fixtures) => `/api/connections/${enc(f.scratch)}/tables/public/${f.table}/rows`;

const ROWS: Record<string, Row> = {
  'GET /health': {
    gate: 'public',
    ok: 200,
    scope: 'own',
    outsideApi: true,
    run: (_f, w) => call(w, 'GET', '/health'),
  },
  'POST /api/auth/sign-up/email': {
    gate: 'public',
    ok: 201,
    scope: 'own',
    run: (_f, w) =>
      call(w, 'POST', '/api/auth/sign-up/email', {
        email: uniqueEmail(),
        password: 'long enough pw',
        name: 'N',
      }),
  },
  'POST /api/auth/sign-in/email': {
    gate: 'public',
    ok: 200,
    scope: 'own',
    run: (f, w) =>
      call(w, 'POST', '/api/auth/sign-in/email', { email: f.owner.email, password: f.owner.password }),
  },
  'POST /api/auth/sign-out': {
    gate: 'signed-in',
    ok: 200,
    scope: 'own',
    // A token has no session to end.
    sessionOnly: 401,
    run: async (_f, w) => api('/api/auth/sign-out', { method: 'POST', headers: await freshSession(w) }),
  },
  'GET /api/me': { gate: 'signed-in', ok: 200, scope: 'own', run: (_f, w) => call(w, 'GET', '/api/me') },
  'GET /api/orgs': { gate: 'signed-in', ok: 200, scope: 'own', run: (_f, w) => call(w, 'GET', '/api/orgs') },
  'POST /api/orgs': {
    gate: 'signed-in',
    ok: 201,
    scope: 'own',
    sessionOnly: 403,
    run: (_f, w) => call(w, 'POST', '/api/orgs', { name: 'Scratch' }),
  },
  'PATCH /api/orgs/{orgId}': {
    gate: 'org.update',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'PATCH', `/api/orgs/${f.p.org.orgId}`, { name: 'Main org' }),
  },
  'DELETE /api/orgs/{orgId}': {
    gate: 'org.delete',
    ok: 200,
    scope: 'p.org',
    run: async (f, w) => {
      // The owner deletes an org of its own made for the occasion; everyone else tries p.org.
      if (w.name !== 'owner') return call(w, 'DELETE', `/api/orgs/${f.p.org.orgId}`);
      const org = await created<{ id: string }>(
        api('/api/orgs', jsonInit('POST', { name: 'Doomed' }, own(f))),
        'org',
      );
      return call(w, 'DELETE', `/api/orgs/${org.id}`);
    },
  },
  'POST /api/orgs/{orgId}/activate': {
    gate: 'signed-in',
    ok: 200,
    scope: 'p.org',
    sessionOnly: 403,
    run: (f, w) => call(w, 'POST', `/api/orgs/${f.p.org.orgId}/activate`),
  },
  'GET /api/orgs/{orgId}/members': {
    gate: 'member.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', `/api/orgs/${f.p.org.orgId}/members`),
  },
  'PATCH /api/orgs/{orgId}/members/{userId}': {
    gate: 'member.manage',
    ok: 200,
    scope: 'p.org',
    run: async (f, w) => {
      const target = await addMember(f.p.org, 'viewer');
      return call(w, 'PATCH', `/api/orgs/${f.p.org.orgId}/members/${target.userId}`, { role: 'editor' });
    },
  },
  'DELETE /api/orgs/{orgId}/members/{userId}': {
    gate: 'member.manage',
    ok: 200,
    scope: 'p.org',
    run: async (f, w) => {
      const target = await addMember(f.p.org, 'viewer');
      return call(w, 'DELETE', `/api/orgs/${f.p.org.orgId}/members/${target.userId}`);
    },
  },
  'GET /api/orgs/{orgId}/invitations': {
    gate: 'invitation.manage',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', `/api/orgs/${f.p.org.orgId}/invitations`),
  },
  'POST /api/orgs/{orgId}/invitations': {
    gate: 'invitation.manage',
    ok: 201,
    scope: 'p.org',
    run: (f, w) =>
      call(w, 'POST', `/api/orgs/${f.p.org.orgId}/invitations`, { email: uniqueEmail(), role: 'viewer' }),
  },
  'DELETE /api/orgs/{orgId}/invitations/{invitationId}': {
    gate: 'invitation.manage',
    ok: 200,
    scope: 'p.org',
    run: async (f, w) => {
      const { invitation } = await created<{ invitation: { id: string } }>(
        api(
          `/api/orgs/${f.p.org.orgId}/invitations`,
          jsonInit('POST', { email: uniqueEmail(), role: 'viewer' }, own(f)),
        ),
        'invitation',
      );
      return call(w, 'DELETE', `/api/orgs/${f.p.org.orgId}/invitations/${invitation.id}`);
    },
  },
  'POST /api/invitations/accept': {
    gate: 'signed-in',
    ok: 200,
    scope: 'own',
    sessionOnly: 403,
    run: async (f, w) => {
      // Invited to an org of p.org's owner; accepting re-points the session, so use a second one.
      const host = await created<{ id: string }>(
        api('/api/orgs', jsonInit('POST', { name: 'Host' }, own(f))),
        'org',
      );
      const email = w.user?.email ?? uniqueEmail();
      const { token } = await created<{ token: string }>(
        api(`/api/orgs/${host.id}/invitations`, jsonInit('POST', { email, role: 'viewer' }, own(f))),
        'invitation',
      );
      return api('/api/invitations/accept', jsonInit('POST', { token }, await freshSession(w)));
    },
  },
  'GET /api/tokens': {
    gate: 'token.manage',
    ok: 200,
    scope: 'own',
    run: (_f, w) => call(w, 'GET', '/api/tokens'),
  },
  'POST /api/tokens': {
    gate: 'token.manage',
    ok: 201,
    scope: 'own',
    // A token minting tokens would outlive its own revocation.
    sessionOnly: 403,
    run: (_f, w) => call(w, 'POST', '/api/tokens', { name: 'ci', ceiling: 'viewer' }),
  },
  'DELETE /api/tokens/{tokenId}': {
    // Your own token is always yours to revoke; someone else's needs member.manage, and is
    // invisible (404) without it. The target is always another user's token.
    gate: 'member.manage',
    denied: 404,
    ok: 200,
    scope: 'p.org',
    run: async (f, w) => {
      const holder = w.user?.userId === f.owner.userId || w.name === 'viewer-token' ? f.admin : f.owner;
      const target = await makeToken(holder, { ceiling: 'viewer' });
      return call(w, 'DELETE', `/api/tokens/${target.tokenId}`);
    },
  },
  'GET /api/audit': {
    gate: 'audit.read',
    ok: 200,
    scope: 'own',
    run: (_f, w) => call(w, 'GET', '/api/audit'),
  },
  'GET /api/history': {
    gate: 'history.read',
    ok: 200,
    scope: 'own',
    run: (_f, w) => call(w, 'GET', '/api/history'),
  },

  'GET /api/connections': {
    gate: 'connection.read',
    ok: 200,
    scope: 'own',
    run: (_f, w) => call(w, 'GET', '/api/connections'),
  },
  'GET /api/dashboard': {
    gate: 'connection.read',
    ok: 200,
    scope: 'own',
    run: (_f, w) => call(w, 'GET', '/api/dashboard'),
  },
  'POST /api/connections': {
    gate: 'connection.write',
    ok: 201,
    scope: 'own',
    run: (_f, w) => call(w, 'POST', '/api/connections', { name: uniqueName('c'), ...PAGILA }),
  },
  'POST /api/connections/test': {
    gate: 'connection.write',
    ok: 200,
    scope: 'own',
    run: (_f, w) => call(w, 'POST', '/api/connections/test', PAGILA),
  },
  'GET /api/connections/{id}': {
    gate: 'connection.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', conn(f)),
  },
  'PATCH /api/connections/{id}': {
    gate: 'connection.write',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'PATCH', conn(f), { description: 'sample data' }),
  },
  'DELETE /api/connections/{id}': {
    gate: 'connection.write',
    ok: 204,
    scope: 'p.org',
    run: async (f, w) => {
      const id = await saveConnection(f.owner, uniqueName('doomed'), PAGILA);
      return call(w, 'DELETE', `/api/connections/${enc(id)}`);
    },
  },
  'POST /api/connections/{id}/test': {
    gate: 'connection.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'POST', conn(f, '/test'), {}),
  },
  'POST /api/connections/{id}/sync': {
    gate: 'schema.sync',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'POST', conn(f, '/sync')),
  },
  'GET /api/connections/{id}/schema': {
    gate: 'schema.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', conn(f, '/schema?schema=public')),
  },
  'GET /api/connections/{id}/schema/tables/{schema}/{table}': {
    gate: 'schema.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', conn(f, '/schema/tables/public/film')),
  },
  'GET /api/connections/{id}/schema/objects': {
    gate: 'schema.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', conn(f, '/schema/objects?schema=public')),
  },
  'GET /api/connections/{id}/schema/search': {
    gate: 'schema.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', conn(f, '/schema/search?q=film')),
  },
  'GET /api/connections/{id}/schema/history': {
    gate: 'schema.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', conn(f, '/schema/history')),
  },
  'GET /api/connections/{id}/schema/erd': {
    gate: 'schema.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', conn(f, '/schema/erd?schema=public')),
  },
  'GET /api/connections/{id}/schema/export': {
    gate: 'schema.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', conn(f, '/schema/export?format=markdown')),
  },
  'POST /api/connections/{id}/query': {
    // readOnly: false asks for query.write (a read-only run would be query.read).
    gate: 'query.write',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'POST', conn(f, '/query'), { sql: 'select 1 as one', readOnly: false }),
  },
  'GET /api/connections/{id}/query-settings': {
    gate: 'connection.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', conn(f, '/query-settings')),
  },
  'PUT /api/connections/{id}/query-settings': {
    gate: 'connection.write',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'PUT', conn(f, '/query-settings'), { cacheEnabled: false, cacheTtlSeconds: 60 }),
  },
  'GET /api/connections/{id}/metrics': {
    gate: 'history.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', conn(f, '/metrics')),
  },
  'GET /api/connections/{id}/tables/{schema}/{table}/rows': {
    gate: 'query.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', `${rowsPath(f)}?limit=5`),
  },
  'POST /api/connections/{id}/tables/{schema}/{table}/rows': {
    gate: 'rows.write',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'POST', rowsPath(f), { values: { v: 'inserted' } }),
  },
  'PATCH /api/connections/{id}/tables/{schema}/{table}/rows': {
    gate: 'rows.write',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'PATCH', rowsPath(f), { key: { id: 1 }, values: { v: 'kept' } }),
  },
  'DELETE /api/connections/{id}/tables/{schema}/{table}/rows': {
    gate: 'rows.write',
    ok: 200,
    scope: 'p.org',
    run: async (f, w) => {
      const { row } = await created<{ row: { id: number } }>(
        api(rowsPath(f), jsonInit('POST', { values: { v: 'doomed' } }, own(f))),
        'row',
      );
      return call(w, 'DELETE', rowsPath(f), { key: { id: row.id } });
    },
  },
  'POST /api/connections/{id}/tables/{schema}/{table}/import': {
    gate: 'rows.write',
    ok: 200,
    scope: 'p.org',
    run: (f, w) =>
      api(`/api/connections/${enc(f.scratch)}/tables/public/${f.table}/import`, {
        method: 'POST',
        headers: { ...w.headers, 'content-type': 'text/csv' },
        body: 'v\nimported\n',
      }),
  },
  'POST /api/connections/{id}/export': {
    gate: 'query.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'POST', conn(f, '/export'), { sql: 'select 1 as one', format: 'csv' }),
  },
  'POST /api/connections/{id}/export/tickets': {
    gate: 'query.read',
    ok: 201,
    scope: 'p.org',
    run: (f, w) => call(w, 'POST', conn(f, '/export/tickets'), { sql: 'select 1 as one' }),
  },
  'GET /api/connections/{id}/export': {
    gate: 'query.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', `/api/connections/${enc(f.scratch)}/export?schema=public&table=${f.table}`),
  },

  'GET /api/saved-queries': {
    gate: 'history.read',
    ok: 200,
    scope: 'own',
    run: (_f, w) => call(w, 'GET', '/api/saved-queries'),
  },
  'POST /api/saved-queries': {
    gate: 'saved-query.write',
    ok: 201,
    scope: 'own',
    run: (_f, w) => call(w, 'POST', '/api/saved-queries', { name: 'Films', sql: 'select 1' }),
  },
  'GET /api/saved-queries/{id}': {
    gate: 'history.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', `/api/saved-queries/${f.savedId}`),
  },
  'PATCH /api/saved-queries/{id}': {
    gate: 'saved-query.write',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'PATCH', `/api/saved-queries/${f.savedId}`, { description: 'kept' }),
  },
  'GET /api/hosted-databases': {
    gate: 'connection.read',
    ok: 200,
    scope: 'own',
    run: (_f, w) => call(w, 'GET', '/api/hosted-databases'),
  },
  'POST /api/hosted-databases': {
    gate: 'connection.write',
    ok: 201,
    scope: 'own',
    run: (_f, w) => call(w, 'POST', '/api/hosted-databases', { name: uniqueName('hosted') }),
  },
  'GET /api/hosted-databases/{id}': {
    gate: 'connection.read',
    ok: 200,
    scope: 'p.org',
    run: async (f, w) => call(w, 'GET', `/api/hosted-databases/${enc((await hostedIn(f)).id)}`),
  },
  'POST /api/hosted-databases/{id}/import': {
    gate: 'query.write',
    ok: 200,
    scope: 'p.org',
    run: async (f, w) =>
      api(`/api/hosted-databases/${enc((await hostedIn(f)).id)}/import`, {
        method: 'POST',
        headers: { ...w.headers, 'content-type': 'application/sql' },
        body: 'CREATE TABLE t (x);',
      }),
  },
  'DELETE /api/hosted-databases/{id}': {
    gate: 'connection.write',
    ok: 204,
    scope: 'p.org',
    run: async (f, w) => {
      const { id, name } = await hostedIn(f);
      return call(w, 'DELETE', `/api/hosted-databases/${enc(id)}`, { confirm: name });
    },
  },
  'DELETE /api/saved-queries/{id}': {
    gate: 'saved-query.write',
    ok: 204,
    scope: 'p.org',
    run: async (f, w) => {
      const { id } = await created<{ id: string }>(
        api('/api/saved-queries', jsonInit('POST', { name: 'Doomed', sql: 'select 1' }, own(f))),
        'saved query',
      );
      return call(w, 'DELETE', `/api/saved-queries/${id}`);
    },
  },

  'GET /api/documents': {
    gate: 'document.read',
    ok: 200,
    scope: 'own',
    run: (_f, w) => call(w, 'GET', '/api/documents'),
  },
  'POST /api/documents': {
    gate: 'document.write',
    ok: 201,
    scope: 'own',
    run: (_f, w) => call(w, 'POST', '/api/documents', { title: 'Notes' }),
  },
  'GET /api/documents/{documentId}': {
    gate: 'document.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', `/api/documents/${f.documentId}`),
  },
  'GET /api/documents/{documentId}/stats': {
    gate: 'document.read',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'GET', `/api/documents/${f.documentId}/stats`),
  },
  'PATCH /api/documents/{documentId}': {
    gate: 'document.write',
    ok: 200,
    scope: 'p.org',
    run: (f, w) => call(w, 'PATCH', `/api/documents/${f.documentId}`, { title: 'Kept' }),
  },
  'DELETE /api/documents/{documentId}': {
    gate: 'document.write',
    ok: 204,
    scope: 'p.org',
    run: async (f, w) => {
      const { id } = await created<{ id: string }>(
        api('/api/documents', jsonInit('POST', { title: 'Doomed' }, own(f))),
        'document',
      );
      return call(w, 'DELETE', `/api/documents/${id}`);
    },
  },
};

interface OpenApiDoc {
  paths: Record<string, Record<string, unknown>>;
}

let f: Fixtures;
let who: Record<Name, Who>;

beforeAll(async () => {
  const p = await createPrincipals();
  const owner = p.org.owner;
  const admin = p.admin.user as TestUser;
  const viewerToken = await makeToken(owner, { ceiling: 'viewer', name: 'viewer ceiling' });
  const [pagila, scratch] = await Promise.all([
    saveConnection(owner, 'Pagila', PAGILA),
    saveConnection(owner, 'Scratch', SCRATCH.postgres),
  ]);
  const table = uniqueName('role_matrix');
  await sqlOk(owner, scratch, { sql: `create table ${table} (id serial primary key, v text)` });
  await sqlOk(owner, scratch, { sql: `insert into ${table} (v) values ('first')` });
  // The snapshot exists before the read rows run, so each of them is a read, not a first sync.
  await created(
    api(`/api/connections/${enc(pagila)}/sync`, { method: 'POST', headers: owner.cookieHeaders }),
    'sync',
  );
  const saved = await created<{ id: string }>(
    api('/api/saved-queries', jsonInit('POST', { name: 'Kept', sql: 'select 1' }, owner.cookieHeaders)),
    'saved query',
  );
  const doc = await created<{ id: string }>(
    api('/api/documents', jsonInit('POST', { title: 'Kept' }, owner.cookieHeaders)),
    'document',
  );
  f = { p, owner, admin, pagila, scratch, table, savedId: saved.id, documentId: doc.id };
  who = {
    ...Object.fromEntries(
      (Object.keys(p) as (keyof PrincipalSet)[])
        .filter((k): k is Exclude<keyof PrincipalSet, 'org'> => k !== 'org')
        .map((k) => {
          const principal = p[k] as Principal;
          return [k, { name: k, headers: principal.headers, user: principal.user }];
        }),
    ),
    'viewer-token': { name: 'viewer-token', headers: viewerToken.headers, user: owner },
  } as Record<Name, Who>;
}, 120_000);

describe('role matrix over the whole API (expected statuses from worker/auth/policy.ts)', () => {
  it('has a row for every documented operation, and none for an undocumented one', async () => {
    const doc = await (await api('/api/openapi.json')).json<OpenApiDoc>();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(Object.keys(ROWS).sort()).toEqual(documented);
  });

  for (const [route, row] of Object.entries(ROWS)) {
    it(route, async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const name of NAMES) {
        const res = await row.run(f, who[name]);
        got.push(`${name}=${res.status}`);
        want.push(`${name}=${expected(row, name)}`);
        // Every refusal is the JSON envelope.
        if (res.status >= 400) {
          const body = await res.json<{ error?: { code?: string; requestId?: string } }>();
          expect(body.error?.code, `${route} as ${name}`).toBeTypeOf('string');
          expect(body.error?.requestId, `${route} as ${name}`).toBeTypeOf('string');
        } else await res.body?.cancel();
      }
      expect(got.join(' ')).toBe(want.join(' '));
    }, 60_000);
  }
});
