import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';

/**
 * One structured JSON line per request. Only the path is logged — never the
 * query string, headers or body, which can carry tokens, SQL parameters or
 * connection strings.
 */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = performance.now();
  await next();
  console.log(
    JSON.stringify({
      level: c.res.status >= 500 ? 'error' : 'info',
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    }),
  );
});
