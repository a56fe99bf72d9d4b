import { Scalar } from '@scalar/hono-api-reference';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { resolveAuth } from './auth/middleware.ts';
import { documentSocket } from './documents/socket.ts';
import type { Env } from './env.ts';
import { ApiError, errorResponse } from './errors.ts';
import { isImportPath } from './import/limits.ts';
import { allowedOrigins, csrfGuard } from './middleware/csrf.ts';
import { d1Session } from './middleware/d1-session.ts';
import { docsCsp } from './middleware/docs-csp.ts';
import { requestLog } from './middleware/request-log.ts';
import { serverTiming } from './middleware/server-timing.ts';
import { createRouter } from './openapi.ts';
import { audit } from './routes/audit.ts';
import { auth } from './routes/auth.ts';
import { connections } from './routes/connections.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { documents } from './routes/documents.ts';
import { exports } from './routes/exports.ts';
import { health } from './routes/health.ts';
import { history } from './routes/history.ts';
import { hostedSqlite } from './routes/hosted-sqlite.ts';
import { invitations } from './routes/invitations.ts';
import { me } from './routes/me.ts';
import { members } from './routes/members.ts';
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

  // The timer first, so Server-Timing's `total` covers every middleware, the request log included.
  app.use('/api/*', serverTiming);
  // Room joins too: their upgrade reads D1 and calls the room's object (round trips, issue 17).
  app.use('/parties/*', serverTiming);
  // One D1 session per request: reads from a nearby replica, never older than the client's writes.
  app.use('/api/*', d1Session);
  app.use('/parties/*', d1Session);
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
      // A route that sets its own policy (the /api/docs page) keeps it.
      overwrite: false,
    }),
  );
  app.use(
    '/api/*',
    cors({
      origin: (origin, c) => (allowedOrigins((c.env as Env).CORS_ORIGINS).has(origin) ? origin : null),
      credentials: true,
      allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id', 'X-D1-Bookmark'],
      exposeHeaders: ['X-Request-Id', 'Retry-After', 'Server-Timing', 'X-D1-Bookmark'],
    }),
  );
  app.use('/api/*', csrfGuard);
  const jsonBodyLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `Request body exceeds ${MAX_BODY_BYTES} bytes`);
    },
  });
  // CSV imports stream their body and enforce their own, larger cap (worker/import).
  app.use('/api/*', (c, next) => (isImportPath(c.req.path) ? next() : jsonBodyLimit(c, next)));

  app.route('/', health);
  app.use('/api/*', resolveAuth);
  app.route('/', auth);
  app.route('/', me);
  app.route('/', orgs);
  app.route('/', members);
  app.route('/', invitations);
  app.route('/', tokens);
  app.route('/', audit);
  app.route('/', connections);
  app.route('/', dashboardRoutes);
  app.route('/', hostedSqlite);
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
  app.use('/api/docs', docsCsp);
  // The reference UI's bundle ships with our assets (web/vite.config.ts); no CDN, no web fonts.
  app.get(
    '/api/docs',
    Scalar({
      url: '/api/openapi.json',
      pageTitle: 'Atrium API',
      cdn: '/vendor/scalar-api-reference.js',
      withDefaultFonts: false,
    }),
  );

  app.all('/api/*', (c) => {
    throw new ApiError(404, 'not_found', `No API route ${c.req.method} ${c.req.path}`);
  });
  // Document rooms' WebSockets (partyserver's /parties/<party>/<room> convention); the
  // handler authorizes the upgrade before the Durable Object sees it.
  app.get('/parties/document/:id', resolveAuth, documentSocket);
  app.all('/parties/*', () => {
    throw new ApiError(404, 'not_found', 'No such party');
  });
  // Anything else is the SPA (assets answer first in production; this covers run_worker_first paths).
  app.all('*', (c) => c.env.ASSETS.fetch(c.req.raw));

  app.onError((err, c) => errorResponse(c, err));
  app.notFound((c) => errorResponse(c, new ApiError(404, 'not_found', 'Not found')));
  return app;
}

export type App = ReturnType<typeof createApp>;
