import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../openapi.ts';

const PROBE_TIMEOUT_MS = 1000;

const HealthSchema = z
  .object({
    ok: z.boolean(),
    database: z.enum(['healthy', 'unhealthy']),
    latencyMs: z.number().optional(),
    error: z.string().optional(),
    version: z.string(),
    build: z.string(),
  })
  .openapi('Health');

const route = createRoute({
  method: 'get',
  path: '/health',
  tags: ['health'],
  summary: 'Liveness and D1 readiness',
  responses: {
    200: { description: 'D1 answered the probe', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'D1 did not answer', content: { 'application/json': { schema: HealthSchema } } },
  },
});

/** Answers only what it measured: a D1 round trip within 1 s, or 503 with the reason. */
export const health = createRouter().openapi(route, async (c) => {
  const base = { version: c.env.ATRIUM_VERSION, build: c.env.BUILD_ID ?? 'dev' };
  const started = performance.now();
  try {
    await withTimeout(c.env.DB.prepare('select 1 as ok').first('ok'), PROBE_TIMEOUT_MS);
    const latencyMs = Math.round(performance.now() - started);
    return c.json({ ok: true, database: 'healthy' as const, latencyMs, ...base }, 200);
  } catch (err) {
    const error = err instanceof ProbeTimeout ? 'D1 probe timed out after 1000 ms' : 'D1 probe failed';
    return c.json({ ok: false, database: 'unhealthy' as const, error, ...base }, 503);
  }
});

class ProbeTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
