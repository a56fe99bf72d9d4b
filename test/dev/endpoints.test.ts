/**
 * The local Neon/PlanetScale stand-ins, driven from Node by the unmodified drivers and by raw
 * requests: protocol details the Worker tests do not reach, and the loopback-only rule.
 */

import { request } from 'node:http';
import { Client, neon, neonConfig } from '@neondatabase/serverless';
import { connect } from '@planetscale/database';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { type LocalEndpoints, startLocalEndpoints } from '../../dev/endpoints/index.ts';

let endpoints: LocalEndpoints;
beforeAll(async () => {
  // The run's shared endpoints exist too (inject), but a private instance tests start/close.
  expect(JSON.parse(inject('localEndpoints')).neonHttp).toMatch(
    /^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{64}\/sql$/,
  );
  endpoints = await startLocalEndpoints();
  neonConfig.fetchEndpoint = endpoints.neonHttp;
});
afterAll(() => endpoints.close());

describe('Neon HTTP', () => {
  it('answers neon() with fields, raw text parsed by the driver, and batches as one transaction', async () => {
    const sql = neon('postgresql://postgres@127.0.0.1:5432/pagila', { fullResults: true });
    const r = await sql.query('select film_id, title, rental_rate from film where film_id = $1', [1]);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([23, 25, 1700]);
    expect(r.rows).toEqual([{ film_id: 1, title: 'ACADEMY DINOSAUR', rental_rate: '0.99' }]);
    const err = await sql
      .transaction([sql.query('select 1'), sql.query('insert into film (title) values ($1)', ['x'])], {
        readOnly: true,
      })
      .catch((e: { code?: string }) => e);
    expect((err as { code?: string }).code).toBe('25006');
  });

  it('refuses targets that are not on this machine', async () => {
    const res = await fetch(endpoints.neonHttp, {
      method: 'POST',
      headers: { 'Neon-Connection-String': 'postgresql://u:p@192.0.2.1:5432/db' },
      body: JSON.stringify({ query: 'select 1', params: [] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'ATRIUM_NONLOCAL' });
  });
});

describe('Neon WebSocket bridge', () => {
  it('carries the Postgres protocol for Client', async () => {
    const client = new Client('postgresql://postgres@127.0.0.1:5432/pagila');
    client.neonConfig.webSocketConstructor = WebSocket;
    client.neonConfig.wsProxy = (host, port) => `${endpoints.neonWs.slice(5)}?address=${host}:${port}`;
    client.neonConfig.useSecureWebSocket = false;
    client.neonConfig.pipelineConnect = false;
    await client.connect();
    expect((await client.query('select count(*)::int as n from actor')).rows).toEqual([{ n: 200 }]);
    await client.end();
  });

  it('refuses non-local addresses before upgrading', async () => {
    const ws = new WebSocket(`${endpoints.neonWs}?address=192.0.2.1:5432`);
    const status = await new Promise((resolve) =>
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(400);
  });
});

/** The driver resolves its API paths against the origin: put the secret path back, as the Worker does. */
const withSecretPath = (input: string) => `${endpoints.planetscale}${new URL(input).pathname}`;

describe('PlanetScale HTTP', () => {
  const db = () =>
    connect({
      url: endpoints.planetscale.replace('http://', 'http://root:@'),
      fetch: (url: string, init?: RequestInit) =>
        fetch(withSecretPath(url), {
          ...init,
          headers: { ...init?.headers, 'X-Atrium-Mysql-Target': '127.0.0.1:3306/atrium_test' },
        }),
    });

  it('keeps a server connection per session so transaction() commits or rolls back as a unit', async () => {
    const t = `ps_tx_${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;
    await db().execute(`create table ${t} (id int primary key)`);
    await expect(
      db().transaction(async (tx) => {
        await tx.execute(`insert into ${t} values (?)`, [1]);
        await tx.execute(`insert into ${t} values (?)`, [1]);
      }),
    ).rejects.toThrow(/Duplicate entry/);
    expect((await db().execute(`select count(*) as n from ${t}`)).rows).toEqual([{ n: '0' }]);
    await db().transaction(async (tx) => {
      await tx.execute(`insert into ${t} values (?)`, [2]);
    });
    expect((await db().execute(`select id from ${t}`)).rows).toEqual([{ id: 2 }]);
    await db().execute(`drop table ${t}`);
  });

  it('answers bad credentials with 401 and no password in the message', async () => {
    const conn = connect({
      url: endpoints.planetscale.replace('http://', 'http://root:Planted-Secret-1@'),
      fetch: (url: string, init?: RequestInit) => fetch(withSecretPath(url), init),
    });
    const err = (await conn.execute('select 1').catch((e: unknown) => e)) as {
      status: number;
      message: string;
    };
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/errno 1045/);
    expect(err.message).not.toContain('Planted-Secret-1');
  });
});

describe('who may use the endpoints', () => {
  const origin = () => new URL(endpoints.neonHttp).origin;
  const secret = () => new URL(endpoints.neonHttp).pathname.split('/')[1]!;
  const prefixes = () => ({
    'no secret': '',
    'a wrong secret': `/${'0'.repeat(64)}`,
    'part of the secret': `/${secret().slice(0, 32)}`,
  });

  const sql = (base: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/sql`, {
      method: 'POST',
      headers: { 'Neon-Connection-String': 'postgresql://postgres@127.0.0.1:5432/pagila', ...headers },
      body: JSON.stringify({ query: 'select 1 as one', params: [] }),
    });
  const planetscale = (base: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/psdb.v1alpha1.Database/CreateSession`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${btoa('root:')}`,
        'X-Atrium-Mysql-Target': '127.0.0.1:3306/atrium_test',
        ...headers,
      },
      body: '{}',
    });
  /** The upgrade's HTTP status: 101 when the bridge took it, else the refusal. */
  const upgrade = (base: string, options: { origin?: string } = {}) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v2?address=127.0.0.1:5432`, options);
      ws.on('open', () => {
        ws.terminate();
        resolve(101);
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', reject);
    });

  it('answers 403 on every route without the right secret, before any database is reached', async () => {
    for (const [what, prefix] of Object.entries(prefixes())) {
      const base = `${origin()}${prefix}`;
      expect([what, (await sql(base)).status]).toEqual([what, 403]);
      expect([what, (await planetscale(base)).status]).toEqual([what, 403]);
      expect([what, await upgrade(base)]).toEqual([what, 403]);
      expect([what, (await fetch(`${base}/health`)).status]).toEqual([what, 403]);
    }
  });

  it('refuses browsers (Origin, Sec-Fetch-Site) even with the right secret', async () => {
    const base = `${origin()}/${secret()}`;
    const evil = { Origin: 'https://evil.example' };
    expect((await sql(base, evil)).status).toBe(403);
    expect((await sql(base, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await planetscale(base, evil)).status).toBe(403);
    expect(await upgrade(base, { origin: 'https://evil.example' })).toBe(403);
    // A page that rebinds its own name to 127.0.0.1 still sends that name as Host (fetch may not set Host).
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/sql`, { method: 'POST', headers: { Host: 'evil.example' } }, (res) =>
        resolve(res.resume().statusCode ?? 0),
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(rebound).toBe(403);
  });

  it('serves the right secret without browser headers', async () => {
    const base = `${origin()}/${secret()}`;
    const res = await sql(base);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ rows: [['1']] });
    expect((await planetscale(base)).status).toBe(200);
    expect(await upgrade(base)).toBe(101);
  });

  it('refuses a secret too short to guard anything', async () => {
    await expect(startLocalEndpoints({ secret: 'short' })).rejects.toThrow(/at least 32/);
  });
});
