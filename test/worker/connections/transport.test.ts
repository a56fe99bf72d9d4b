/**
 * A connection's transport through the API: stored and shown, defaulted per host, validated per
 * engine, and every transport held to the host policy (refused before any driver exists).
 * Hyperdrive connections name a binding the deployment lists (USER_HYPERDRIVE_BINDINGS in
 * test/vitest.config.ts, backed by miniflare's local Hyperdrive).
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../worker/app.ts';
import type { ConnectionView } from '../../../worker/connections/types.ts';
import * as engines from '../../../worker/engines/create-engine.ts';
import { createOrg, jsonInit, TEST_ORIGIN, type TestUser } from '../../support/auth.ts';

const app = createApp();
const call = (path: string, init: RequestInit, vars: Record<string, string> = {}) =>
  app.request(`${TEST_ORIGIN}${path}`, init, { ...env, ...vars });

let owner: TestUser;
beforeAll(async () => {
  owner = (await createOrg()).owner;
});

async function create(body: Record<string, unknown>) {
  const res = await call('/api/connections', jsonInit('POST', body, owner.cookieHeaders));
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as ConnectionView & { error?: { code: string } } };
}

const name = () => `c-${crypto.randomUUID().slice(0, 8)}`;

describe('default transport per connection string', () => {
  it.each([
    ['postgres://u:p@ep-quiet-lake-1.us-east-2.aws.neon.tech/db', 'postgres', 'neon-http'],
    ['postgres://u:p@db.example.com/db', 'postgres', 'tcp'],
    ['mysql://u:p@aws.connect.psdb.cloud/db', 'mysql', 'planetscale-http'],
    ['mysql://u:p@eu.psdb.cloud/db', 'mysql', 'planetscale-http'],
    ['mysql://u:p@db.example.com/db', 'mysql', 'tcp'],
  ])('%s → %s', async (connectionString, engine, transport) => {
    const { status, body } = await create({ name: name(), engine, connectionString });
    expect(status).toBe(201);
    expect(body.transport).toBe(transport);
  });

  it('a transport the engine does not take is refused', async () => {
    const { status, body } = await create({
      name: name(),
      engine: 'postgres',
      host: 'db.example.com',
      transport: 'planetscale-http',
    });
    expect(status).toBe(400);
    expect(body.error?.code).toBe('invalid_config');
  });
});

describe('tcp end to end', () => {
  it('saves, shows, tests and queries Pagila and Sakila over TCP', async () => {
    for (const [engine, connectionString, sql] of [
      ['postgres', 'postgres://postgres@127.0.0.1:5432/pagila', 'select count(*) as n from film'],
      ['mysql', 'mysql://root@127.0.0.1:3306/sakila', 'select count(*) as n from film'],
    ] as const) {
      const { status, body } = await create({ name: name(), engine, connectionString, transport: 'tcp' });
      expect(status).toBe(201);
      expect(body.transport).toBe('tcp');
      const tested = await call(
        `/api/connections/${body.id}/test`,
        jsonInit('POST', {}, owner.cookieHeaders),
      );
      expect(tested.status, await tested.clone().text()).toBe(200);
      const run = await call(
        `/api/connections/${body.id}/query`,
        jsonInit('POST', { sql }, owner.cookieHeaders),
      );
      const result = await run.json<{ results: { rows: unknown[][] }[] }>();
      expect(run.status, JSON.stringify(result)).toBe(200);
      expect(result.results[0]?.rows).toEqual([[1000]]);
    }
  });

  it('switching transport keeps the address and the password', async () => {
    const { body } = await create({
      name: name(),
      engine: 'postgres',
      host: '127.0.0.1',
      database: 'pagila',
      user: 'postgres',
      password: 'pw-kept',
      transport: 'neon-http',
    });
    const res = await call(
      `/api/connections/${body.id}`,
      jsonInit('PATCH', { transport: 'tcp' }, owner.cookieHeaders),
    );
    const patched = await res.json<ConnectionView>();
    expect(res.status, JSON.stringify(patched)).toBe(200);
    expect(patched.transport).toBe('tcp');
    expect(patched.host).toBe('127.0.0.1');
    expect(patched.hasPassword).toBe(true);
  });
});

describe('hyperdrive', () => {
  it('a listed binding: saved without a host, tested and queried through the binding', async () => {
    const { status, body } = await create({
      name: name(),
      engine: 'postgres',
      transport: 'hyperdrive',
      hyperdrive: 'HD_PAGILA',
    });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({ transport: 'hyperdrive', hyperdrive: 'HD_PAGILA', host: null });
    expect(body.connectionStringRedacted).toBeNull();
    const run = await call(
      `/api/connections/${body.id}/query`,
      jsonInit('POST', { sql: 'select count(*) from actor' }, owner.cookieHeaders),
    );
    expect(run.status).toBe(200);
    expect((await run.json<{ results: { rows: unknown[][] }[] }>()).results[0]?.rows).toEqual([[200]]);
  });

  it('a binding the deployment does not list → 400 binding_not_allowed', async () => {
    const { status, body } = await create({
      name: name(),
      engine: 'postgres',
      transport: 'hyperdrive',
      hyperdrive: 'HD_PG_SCRATCH',
    });
    expect(status).toBe(400);
    expect(body.error?.code).toBe('binding_not_allowed');
  });

  it('a binding with a host beside it → 400 invalid_config', async () => {
    const { status, body } = await create({
      name: name(),
      engine: 'mysql',
      hyperdrive: 'HD_SAKILA',
      host: 'db.example.com',
    });
    expect(status).toBe(400);
    expect(body.error?.code).toBe('invalid_config');
  });
});

describe('the host policy holds for every transport', () => {
  it.each(['tcp', 'neon-http'])('postgres over %s: refused before any engine is built', async (transport) => {
    const built = vi.spyOn(engines, 'createEngine');
    const res = await call(
      '/api/connections/test',
      jsonInit('POST', { engine: 'postgres', host: '10.0.0.1', user: 'u', transport }, owner.cookieHeaders),
      { ALLOW_PRIVATE_HOSTS: '' },
    );
    expect(res.status).toBe(400);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe('host_not_allowed');
    expect(built).not.toHaveBeenCalled();
    // The control: the same request, allowed, does build an engine (so the spy sees the calls).
    await call(
      '/api/connections/test',
      jsonInit(
        'POST',
        { engine: 'postgres', host: '127.0.0.1', user: 'postgres', transport },
        owner.cookieHeaders,
      ),
      { ALLOW_PRIVATE_HOSTS: '1' },
    );
    expect(built).toHaveBeenCalled();
    built.mockRestore();
  });

  it('mysql over tcp: refused on create too', async () => {
    const res = await call(
      '/api/connections',
      jsonInit(
        'POST',
        {
          name: name(),
          engine: 'mysql',
          connectionString: 'mysql://root@127.0.0.1/sakila',
          transport: 'tcp',
        },
        owner.cookieHeaders,
      ),
      { ALLOW_PRIVATE_HOSTS: '' },
    );
    expect(res.status).toBe(400);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe('host_not_allowed');
  });
});
