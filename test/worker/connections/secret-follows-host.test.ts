import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionView } from '../../../worker/connections/types.ts';
import { createVault } from '../../../worker/vault/vault.ts';
import { api, createOrg, jsonInit, type TestUser } from '../../support/auth.ts';

/**
 * A stored password goes only to the server and login it was saved for. Nothing here dials:
 * saving and updating never connect, and the hosts are names that are never resolved.
 */

const SECRET = 'follows-its-server-7731';
let owner: TestUser;
beforeAll(async () => {
  owner = (await createOrg()).owner;
});

async function create(body: Record<string, unknown>) {
  const res = await api('/api/connections', jsonInit('POST', body, owner.cookieHeaders));
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<ConnectionView>();
}

const patch = (id: string, body: Record<string, unknown>) =>
  api(`/api/connections/${id}`, jsonInit('PATCH', body, owner.cookieHeaders));

async function storedSecret(id: string): Promise<Record<string, string> | null> {
  const row = await env.DB.prepare('select secret, host, port, user, engine from connection where id = ?')
    .bind(id)
    .first<{ secret: string | null }>();
  if (!row?.secret) return null;
  const vault = await createVault(env.VAULT_KEYS ?? '');
  return JSON.parse(await vault.open(row.secret, `connection:${id}`));
}

const fields = (name: string) => ({
  name,
  engine: 'postgres',
  host: 'db.example.com',
  port: 5432,
  database: 'app',
  user: 'app',
  password: SECRET,
});

describe('a stored password follows its server', () => {
  it('refuses to move it to another engine, host, port or user without the password', async () => {
    const conn = await create(fields('moving'));
    const moves: Record<string, unknown>[] = [
      { host: 'collector.example.net' },
      { host: 'db.example.com.attacker.example' },
      { port: 6543 },
      { user: 'postgres' },
      { engine: 'mysql' },
      { engine: 'mysql', host: 'collector.example.net', port: 3306 },
    ];
    for (const move of moves) {
      const res = await patch(conn.id, move);
      const text = await res.text();
      expect(res.status, JSON.stringify(move)).toBe(400);
      expect(JSON.parse(text).error.code, JSON.stringify(move)).toBe('password_required');
      expect(text).not.toContain(SECRET);
    }
    // Nothing moved: the row still points at the server the secret belongs to.
    const after = await (
      await api(`/api/connections/${conn.id}`, { headers: owner.cookieHeaders })
    ).json<ConnectionView>();
    expect(after).toMatchObject({ engine: 'postgres', host: 'db.example.com', port: 5432, user: 'app' });
    expect(await storedSecret(conn.id)).toEqual({ password: SECRET });
  });

  it('keeps it when the server and login stay the same, as the edit form sends them', async () => {
    const conn = await create(fields('staying'));
    const same = await patch(conn.id, {
      name: 'staying, renamed',
      host: 'DB.example.com',
      port: 5432,
      user: 'app',
      database: 'other_db',
      sslMode: 'require',
    });
    expect(same.status, await same.clone().text()).toBe(200);
    expect((await same.json<ConnectionView>()).hasPassword).toBe(true);
    expect(await storedSecret(conn.id)).toEqual({ password: SECRET });
  });

  it('moves when the request supplies the password again, or removes it', async () => {
    const conn = await create(fields('resupplied'));
    const moved = await patch(conn.id, { host: 'db2.example.com', password: 'the-new-servers-own' });
    expect(moved.status, await moved.clone().text()).toBe(200);
    expect(await moved.json()).toMatchObject({ host: 'db2.example.com', hasPassword: true });
    expect(await storedSecret(conn.id)).toEqual({ password: 'the-new-servers-own' });

    const dropped = await patch(conn.id, { host: 'db3.example.com', password: null });
    expect(dropped.status).toBe(200);
    expect(await dropped.json()).toMatchObject({ host: 'db3.example.com', hasPassword: false });
    expect(await storedSecret(conn.id)).toBeNull();
  });

  it('treats a connection string the same way', async () => {
    const conn = await create({
      name: 'by string',
      engine: 'postgres',
      connectionString: `postgres://app:${SECRET}@db.example.com:5432/app`,
    });
    const res = await patch(conn.id, { host: 'collector.example.net' });
    expect([res.status, (await res.json<{ error: { code: string } }>()).error.code]).toEqual([
      400,
      'password_required',
    ]);
    expect(await storedSecret(conn.id)).toEqual({
      connectionString: `postgres://app:${SECRET}@db.example.com:5432/app`,
    });
    // A new connection string is a whole new secret: the old password is not carried into it.
    const replaced = await patch(conn.id, { connectionString: 'postgres://app@collector.example.net/app' });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ host: 'collector.example.net', hasPassword: false });
    expect(JSON.stringify(await storedSecret(conn.id))).not.toContain(SECRET);
  });

  it('needs nothing again when there is no stored password', async () => {
    const { password: _none, ...noPassword } = fields('passwordless');
    const conn = await create(noPassword);
    const res = await patch(conn.id, { host: 'elsewhere.example.com' });
    expect(res.status).toBe(200);
  });
});
