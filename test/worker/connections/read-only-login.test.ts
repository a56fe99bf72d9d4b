/**
 * Viewer credentials enforced by the database: a connection's second, read-only login,
 * used by viewers and every read-only run, and the privileged-login finding at test time.
 * Real roles on the local PostgreSQL and MariaDB, created idempotently by an owner's
 * write query through Atrium itself.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuthContext } from '../../../worker/auth/context.ts';
import { authorize } from '../../../worker/auth/policy.ts';
import { openEngine } from '../../../worker/connections/open-engine.ts';
import type { ConnectionView, PrivilegedLoginView } from '../../../worker/connections/types.ts';
import { api, jsonInit } from '../../support/auth.ts';
import { SCRATCH } from '../../support/fixtures.ts';
import { createTeam, type ErrorBody, query, saveConnection, sqlOk, type Team } from '../../support/team.ts';

const RO_USER = 'atrium_ro';
const RO_PASSWORD = 'ro-Pw-5e1f93c7-never-in-a-response';

interface TestBody {
  ok: boolean;
  error?: { code: string; message: string };
  privilegedLogin?: PrivilegedLoginView | null;
}

let team: Team;
/** Every response body this file sees, to prove the read-only password never appears in one. */
const seen: string[] = [];

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const res = await api(path, init);
  const text = await res.text();
  seen.push(text);
  return { status: res.status, text };
}

const viewOf = async (id: string) => {
  const { status, text } = await call(`/api/connections/${id}`, { headers: team.viewer.bearerHeaders });
  expect(status, text).toBe(200);
  return JSON.parse(text) as ConnectionView;
};

async function testSaved(id: string): Promise<TestBody> {
  const { status, text } = await call(`/api/connections/${id}/test`, {
    method: 'POST',
    headers: team.viewer.bearerHeaders,
  });
  expect(status, text).toBe(200);
  return JSON.parse(text) as TestBody;
}

/** Who the database says runs the query: `current_user` on PostgreSQL, `current_user()` on MariaDB. */
async function currentUser(user: Team['owner'], id: string, body: object = {}): Promise<unknown> {
  const sql = id === myId ? 'select current_user()' : 'select current_user';
  const out = await sqlOk(user, id, { sql, ...body });
  seen.push(JSON.stringify(out));
  return out.results[0]?.rows[0]?.[0];
}

let pgId: string;
let myId: string;

beforeAll(async () => {
  team = await createTeam();
  const { owner } = team;
  const pg = team.connections.pgScratch;
  // Roles are cluster-wide; each step is safe to repeat on a server that already has them.
  for (const sql of [
    `do $$ begin
       if not exists (select from pg_roles where rolname = '${RO_USER}') then
         create role ${RO_USER} login password '${RO_PASSWORD}';
       end if;
     end $$`,
    `alter role ${RO_USER} nosuperuser password '${RO_PASSWORD}'`,
    'create table if not exists ro_canary (id int primary key, note text)',
    "insert into ro_canary values (1, 'kept') on conflict do nothing",
    `grant usage on schema public to ${RO_USER}`,
    `grant select on ro_canary to ${RO_USER}`,
  ]) {
    await sqlOk(owner, pg, { sql, readOnly: false });
  }
  const my = team.connections.myScratch;
  for (const sql of [
    `create user if not exists '${RO_USER}'@'%' identified by '${RO_PASSWORD}'`,
    `alter user '${RO_USER}'@'%' identified by '${RO_PASSWORD}'`,
    'create table if not exists ro_canary (id int primary key, note text)',
    "insert ignore into ro_canary values (1, 'kept')",
    `grant select on atrium_test.* to '${RO_USER}'@'%'`,
  ]) {
    await sqlOk(owner, my, { sql, readOnly: false });
  }
  const readOnlyLogin = { user: RO_USER, password: RO_PASSWORD };
  [pgId, myId] = await Promise.all([
    saveConnection(owner, 'PG with viewer login', { ...SCRATCH.postgres, readOnlyLogin }),
    saveConnection(owner, 'MariaDB with viewer login', { ...SCRATCH.mysql, readOnlyLogin }),
  ]);
});

describe('storing the read-only login', () => {
  it('shows the user and never the password', async () => {
    const view = await viewOf(pgId);
    expect(view).toMatchObject({ hasReadOnlyLogin: true, readOnlyUser: RO_USER, user: 'postgres' });
    const list = await call('/api/connections', { headers: team.owner.bearerHeaders });
    expect(list.text).toContain(RO_USER);
    // Sealed in the vault with the main secret: the row holds only an envelope.
    const row = await env.DB.prepare('select secret, read_only_user from connection where id = ?')
      .bind(pgId)
      .first<{ secret: string; read_only_user: string }>();
    expect(row?.read_only_user).toBe(RO_USER);
    expect(row?.secret).toMatch(/^v1\./);
    expect(row?.secret).not.toContain(RO_PASSWORD);
  });

  it('refuses a new read-only login without a password and a server change that would carry it', async () => {
    const patch = (body: object) =>
      call(`/api/connections/${pgId}`, jsonInit('PATCH', body, team.owner.bearerHeaders));
    const other = await patch({ readOnlyLogin: { user: 'someone_else' } });
    expect(other.status, other.text).toBe(400);
    expect(JSON.parse(other.text).error.code).toBe('password_required');
    // Another port is another server: the stored read-only password must not follow it.
    const moved = await patch({ port: 5433 });
    expect(moved.status, moved.text).toBe(400);
    expect(JSON.parse(moved.text).error.code).toBe('password_required');
    // The same user without a password keeps the stored one.
    const same = await patch({ readOnlyLogin: { user: RO_USER } });
    expect(same.status, same.text).toBe(200);
    expect(JSON.parse(same.text)).toMatchObject({ hasReadOnlyLogin: true, port: 5432 });
  });

  it('removes the login with null', async () => {
    const id = await saveConnection(team.owner, 'PG login removed', {
      ...SCRATCH.postgres,
      readOnlyLogin: { user: RO_USER, password: RO_PASSWORD },
    });
    const res = await call(
      `/api/connections/${id}`,
      jsonInit('PATCH', { readOnlyLogin: null }, team.owner.bearerHeaders),
    );
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ hasReadOnlyLogin: false, readOnlyUser: null });
    expect(await currentUser(team.viewer, id)).toBe('postgres');
  });
});

describe('which login a run uses', () => {
  it('runs viewers and read-only runs as the read-only role on PostgreSQL', async () => {
    expect(await currentUser(team.viewer, pgId)).toBe(RO_USER);
    expect(await currentUser(team.owner, pgId, { readOnly: true })).toBe(RO_USER);
    expect(await currentUser(team.owner, pgId, { readOnly: false })).toBe('postgres');
    expect(await currentUser(team.editor, pgId)).toBe('postgres');
  });

  it("leaves what a viewer may read to the role's grants", async () => {
    const granted = await sqlOk(team.viewer, pgId, { sql: 'select note from ro_canary where id = 1' });
    expect(granted.results[0]?.rows).toEqual([['kept']]);
    // The superuser could read pg_authid; the read-only role cannot, whatever the SQL says.
    const res = await query(team.viewer, pgId, { sql: 'select count(*) from pg_authid' });
    const body = await res.json<ErrorBody>();
    seen.push(JSON.stringify(body));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(body.error.message).toMatch(/permission denied/i);
  });

  it('runs viewers as the read-only user on MariaDB and owners as root', async () => {
    expect(await currentUser(team.viewer, myId)).toBe(`${RO_USER}@%`);
    expect(await currentUser(team.owner, myId, { readOnly: false })).toBe('root@127.0.0.1');
  });

  it('exports and schema reads use the read-only login too', async () => {
    const auth = (role: 'viewer' | 'editor'): AuthContext => ({
      userId: team[role].userId,
      email: team[role].email,
      orgId: team.orgId,
      role,
      via: 'session',
    });
    for (const action of ['query.read', 'schema.read', 'schema.sync'] as const) {
      const engine = await openEngine({ env }, authorize(auth('editor'), action), pgId);
      try {
        const { rows } = await engine.query('select current_user', { readOnly: true });
        expect(rows[0]?.[0], action).toBe(RO_USER);
        expect(engine.usesReadOnlyLogin, action).toBe(true);
      } finally {
        await engine.close();
      }
    }
    const writer = await openEngine({ env }, authorize(auth('editor'), 'query.write'), pgId);
    try {
      expect((await writer.query('select current_user')).rows[0]?.[0]).toBe('postgres');
      expect(writer.usesReadOnlyLogin).toBe(false);
    } finally {
      await writer.close();
    }
  });
});

describe('privileged logins at test time', () => {
  it('reports the superuser main login and the unprivileged read-only login on PostgreSQL', async () => {
    const body = await testSaved(pgId);
    expect(body.ok).toBe(true);
    expect(body.privilegedLogin).toMatchObject({
      user: 'postgres',
      privileged: true,
      readOnlyLogin: { user: RO_USER, privileged: false, reasons: [] },
      warning: null,
    });
    expect(body.privilegedLogin?.reasons).toEqual([
      'superuser',
      'pg_execute_server_program',
      'pg_write_server_files',
      'pg_read_server_files',
    ]);
    const view = await viewOf(pgId);
    expect(view.privilegedLogin).toEqual(body.privilegedLogin);
  });

  it('reports ALL PRIVILEGES for root and nothing for the read-only user on MariaDB', async () => {
    const body = await testSaved(myId);
    expect(body.ok).toBe(true);
    expect(body.privilegedLogin).toMatchObject({
      user: 'root@127.0.0.1',
      privileged: true,
      readOnlyLogin: { user: `${RO_USER}@%`, privileged: false, reasons: [] },
      warning: null,
    });
    expect(body.privilegedLogin?.reasons).toContain('all_privileges');
  });

  it('warns that viewers run as a superuser until a read-only login is added', async () => {
    const id = await saveConnection(team.owner, 'PG superuser only', SCRATCH.postgres);
    expect((await viewOf(id)).privilegedLogin).toBeNull();
    const body = await testSaved(id);
    expect(body.privilegedLogin?.warning).toMatch(/^Viewers run as a superuser/);
    const view = await viewOf(id);
    expect(view.privilegedLogin?.warning).toMatch(/^Viewers run as a superuser/);
    expect(view.privilegedLogin?.readOnlyLogin).toBeNull();
    // Adding the login takes the warning away; the next test measures it.
    const res = await call(
      `/api/connections/${id}`,
      jsonInit(
        'PATCH',
        { readOnlyLogin: { user: RO_USER, password: RO_PASSWORD } },
        team.owner.bearerHeaders,
      ),
    );
    expect(res.status, res.text).toBe(200);
    expect((await testSaved(id)).privilegedLogin).toMatchObject({
      warning: null,
      readOnlyLogin: { privileged: false },
    });
  });

  it('flags a read-only login that is itself privileged and stops trusting it', async () => {
    const id = await saveConnection(team.owner, 'PG privileged viewer login', {
      ...SCRATCH.postgres,
      readOnlyLogin: { user: 'postgres', password: RO_PASSWORD },
    });
    const body = await testSaved(id);
    expect(body.privilegedLogin?.readOnlyLogin).toMatchObject({ privileged: true });
    expect(body.privilegedLogin?.warning).toMatch(/read-only login is privileged/);
    const viewer: AuthContext = {
      userId: team.viewer.userId,
      email: team.viewer.email,
      orgId: team.orgId,
      role: 'viewer',
      via: 'session',
    };
    const engine = await openEngine({ env }, authorize(viewer, 'query.read'), id);
    // Still its login, but the query path must keep refusing server-side effects for it.
    expect(engine.usesReadOnlyLogin).toBe(false);
    await engine.close();
  });

  it('tests a read-only login before it is saved', async () => {
    const { status, text } = await call(
      '/api/connections/test',
      jsonInit(
        'POST',
        { ...SCRATCH.mysql, readOnlyLogin: { user: RO_USER, password: RO_PASSWORD } },
        team.owner.bearerHeaders,
      ),
    );
    expect(status, text).toBe(200);
    expect((JSON.parse(text) as TestBody).privilegedLogin?.readOnlyLogin).toMatchObject({
      privileged: false,
    });
  });

  it('fails the test when the read-only login cannot sign in', async () => {
    const { status, text } = await call(
      '/api/connections/test',
      jsonInit(
        'POST',
        { ...SCRATCH.mysql, readOnlyLogin: { user: RO_USER, password: 'wrong-password' } },
        team.owner.bearerHeaders,
      ),
    );
    expect(status, text).toBe(502);
    const body = JSON.parse(text) as TestBody;
    expect(body.ok).toBe(false);
    expect(body.error?.code).toBe('auth_failed');
    expect(body.error?.message).toMatch(/read-only login/);
    expect(text).not.toContain('wrong-password');
  });
});

describe('secrecy', () => {
  it('never put the read-only password in a response', () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const text of seen) expect(text).not.toContain(RO_PASSWORD);
  });
});
