/**
 * The local Neon/PlanetScale stand-ins, driven from Node by the unmodified drivers and by raw
 * requests: protocol details the Worker tests do not reach, and the loopback-only rule.
 */
import { Client, neon, neonConfig } from '@neondatabase/serverless';
import { connect } from '@planetscale/database';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { type LocalEndpoints, startLocalEndpoints } from '../../dev/endpoints/index.ts';

let endpoints: LocalEndpoints;
beforeAll(async () => {
  // The run's shared endpoints exist too (inject), but a private instance tests start/close.
  expect(JSON.parse(inject('localEndpoints')).neonHttp).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sql$/);
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

describe('PlanetScale HTTP', () => {
  const db = () =>
    connect({
      url: endpoints.planetscale.replace('http://', 'http://root:@'),
      fetch: (url: string, init?: RequestInit) =>
        fetch(url, {
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
