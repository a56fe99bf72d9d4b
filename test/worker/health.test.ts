import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app.ts';

describe('GET /health', () => {
  it('is 200 healthy when D1 answers', async () => {
    const res = await exports.default.fetch('http://atrium.test/health');
    expect(res.status).toBe(200);
    const body = await res.json<{ ok: boolean; database: string; version: string }>();
    expect(body).toMatchObject({ ok: true, database: 'healthy', version: env.ATRIUM_VERSION });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('is 503 unhealthy when the D1 probe fails', async () => {
    const broken = {
      prepare: () => ({ first: () => Promise.reject(new Error('D1_ERROR: storage unavailable')) }),
    } as unknown as D1Database;
    const res = await createApp().request('/health', {}, { ...env, DB: broken });
    expect(res.status).toBe(503);
    const body = await res.json<{ ok: boolean; database: string; error: string }>();
    expect(body.ok).toBe(false);
    expect(body.database).toBe('unhealthy');
    expect(body.error).toMatch(/D1/);
  });

  it('is 503 when the D1 probe hangs past 1 s', async () => {
    const hanging = {
      prepare: () => ({ first: () => new Promise(() => {}) }),
    } as unknown as D1Database;
    const res = await createApp().request('/health', {}, { ...env, DB: hanging });
    expect(res.status).toBe(503);
    expect((await res.json<{ error: string }>()).error).toMatch(/timed out/);
  });
});

describe('error envelope', () => {
  it('answers unknown API paths with a JSON 404', async () => {
    const res = await exports.default.fetch('http://atrium.test/api/nope');
    expect(res.status).toBe(404);
    const body = await res.json<{ error: { code: string; requestId: string } }>();
    expect(body.error.code).toBe('not_found');
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('serves the OpenAPI document', async () => {
    const res = await exports.default.fetch('http://atrium.test/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/health']).toBeDefined();
  });
});

describe('demo database', () => {
  it('holds Chinook', async () => {
    const row = await env.DEMO_DB.prepare('select count(*) as n from Track').first<{ n: number }>();
    expect(row?.n).toBe(3503);
  });
});
