import { Scalar } from '@scalar/hono-api-reference';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { resolveAuth } from './auth/middleware.ts';
import type { Env } from './env.ts';
import { ApiError, errorResponse } from './errors.ts';
import { allowedOrigins, csrfGuard } from './middleware/csrf.ts';
import { requestLog } from './middleware/request-log.ts';
import { createRouter } from './openapi.ts';
import { audit } from './routes/audit.ts';
import { auth } from './routes/auth.ts';
import { connections } from './routes/connections.ts';
import { documents } from './routes/documents.ts';
import { exports } from './routes/exports.ts';
import { health } from './routes/health.ts';
import { history } from './routes/history.ts';
import { me } from './routes/me.ts';
import { orgs } from './routes/orgs.ts';
import { queries } from './routes/queries.ts';
import { rows } from './routes/rows.ts';
import { savedQueries } from './routes/saved-queries.ts';
import { schema } from './routes/schema.ts';
import { tokens } from './routes/tokens.ts';

/** Request bodies above this are refused before parsing (imports stream separately). */
const MAX_BODY_BYTES = 1024 * 1024;

export function createApp() {
  const app = createRouter();

  app.use('*', requestId({ headerName: 'X-Request-Id' }));
  app.use('*', requestLog);
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Solid and CodeMirror set inline style attributes.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(
    '/api/*',
    cors({
      origin: (origin, c) => (allowedOrigins((c.env as Env).CORS_ORIGINS).has(origin) ? origin : null),
      credentials: true,
      allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
      exposeHeaders: ['X-Request-Id', 'Retry-After'],
    }),
  );
  app.use('/api/*', csrfGuard);
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `Request body exceeds ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  app.route('/', health);
  app.use('/api/*', resolveAuth);
  app.route('/', auth);
  app.route('/', me);
  app.route('/', orgs);
  app.route('/', tokens);
  app.route('/', audit);
  app.route('/', connections);
  app.route('/', schema);
  app.route('/', queries);
  app.route('/', rows);
  app.route('/', exports);
  app.route('/', history);
  app.route('/', savedQueries);
  app.route('/', documents);

  app.doc31('/api/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'Atrium API',
      version: c.env.ATRIUM_VERSION,
      description:
        'Everything the Atrium web app does, over HTTP. Authenticate with a session cookie or `Authorization: Bearer <token>`.',
    },
  }));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.use('/api/docs', async (c, next) => {
    await next();
    // The reference UI is a script from Scalar's CDN; only this page may load it.
    c.res.headers.set(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.scalar.com; font-src 'self' data: https://fonts.scalar.com; img-src 'self' data:; connect-src 'self'",
    );
  });
  app.get('/api/docs', Scalar({ url: '/api/openapi.json', pageTitle: 'Atrium API' }));

  app.all('/api/*', (c) => {
    throw new ApiError(404, 'not_found', `No API route ${c.req.method} ${c.req.path}`);
  });
  // Anything else is the SPA (assets answer first in production; this covers run_worker_first paths).
  app.all('*', (c) => c.env.ASSETS.fetch(c.req.raw));

  app.onError((err, c) => errorResponse(c, err));
  app.notFound((c) => errorResponse(c, new ApiError(404, 'not_found', 'Not found')));
  return app;
}

export type App = ReturnType<typeof createApp>;
