/**
 * D1 unavailable: health says so (503), writes are refused with a clear error,
 * and nothing is half-written. The failing binding wraps the real D1 so that a
 * write can fail part-way through, after earlier statements were sent.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../worker/app.ts';
import { createUser, jsonInit, TEST_ORIGIN } from '../../support/auth.ts';

/** A D1 that answers `okCalls` statements, then fails every call like an unreachable D1 does. */
function failingD1(okCalls: number): D1Database {
  let calls = 0;
  const fail = () => {
    calls++;
    return calls > okCalls;
  };
  const error = () => new Error('D1_ERROR: Network connection lost.');
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === 'bind')
          return (...args: unknown[]) => wrap((value as D1PreparedStatement['bind']).apply(target, args));
        if (typeof value === 'function' && ['first', 'run', 'all', 'raw'].includes(String(prop))) {
          return (...args: unknown[]) => (fail() ? Promise.reject(error()) : value.apply(target, args));
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return new Proxy(env.DB, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === 'prepare') return (sql: string) => wrap(target.prepare(sql));
      if (prop === 'batch') {
        return (stmts: D1PreparedStatement[]) => (fail() ? Promise.reject(error()) : target.batch(stmts));
      }
      if (prop === 'exec') return () => Promise.reject(error());
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('D1 unavailable', () => {
  it('health is 503 unhealthy', async () => {
    const res = await createApp().request('/health', {}, { ...env, DB: failingD1(0) });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, database: 'unhealthy' });
  });

  it('refuses writes with a clear 503 and leaves nothing half-written, whatever statement fails', async () => {
    const owner = await createUser();
    const count = async () =>
      (await env.DB.prepare('select count(*) as n from connection').first<{ n: number }>())?.n ?? 0;
    const before = await count();
    const body = {
      name: 'written during an outage',
      engine: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      database: 'pagila',
      user: 'postgres',
      password: 'outage-secret',
      sslMode: 'disable',
    };
    // Fail at every possible point of the request: auth lookup, policy, insert, audit.
    for (let okCalls = 0; okCalls < 12; okCalls++) {
      const res = await createApp().request(
        `${TEST_ORIGIN}/api/connections`,
        jsonInit('POST', body, owner.cookieHeaders),
        { ...env, DB: failingD1(okCalls) },
      );
      if (res.status === 201) break; // past the last D1 call: the write went through whole
      expect(res.status, `failing after ${okCalls} D1 calls`).toBe(503);
      const err = await res.json<{ error: { code: string; message: string } }>();
      expect(err.error.code).toBe('metadata_unavailable');
      expect(err.error.message).not.toContain('outage-secret');
      expect(await count(), `half-written after ${okCalls} calls`).toBe(before);
    }
  });
});
