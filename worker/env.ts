import type { DocumentRoom } from '../durable-objects/document-room.ts';
import type { HostedSqlite } from '../durable-objects/hosted-sqlite.ts';
import type { RateLimiter } from '../durable-objects/rate-limiter.ts';
import type { AuthContext } from './auth/context.ts';
import type { RequestTiming } from './lib/request-timing.ts';

/** Bindings and vars from wrangler.toml, plus secrets from `.dev.vars` / `wrangler secret put`. */
export interface Env {
  DB: D1Database;
  DEMO_DB: D1Database;
  ASSETS: Fetcher;
  DOCUMENT_ROOM: DurableObjectNamespace<DocumentRoom>;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  /** SQLite databases Atrium hosts, one object per database (durable-objects/hosted-sqlite.ts). */
  HOSTED_SQLITE: DurableObjectNamespace<HostedSqlite>;
  ATRIUM_VERSION: string;
  CORS_ORIGINS: string;
  /** Set by the build (`wrangler deploy --var BUILD_ID:...`); "dev" otherwise. */
  BUILD_ID?: string;
  /** Secret: signs sessions. */
  AUTH_SECRET?: string;
  /** Secret: `kid:base64key` pairs, comma separated; the first is the active key. */
  VAULT_KEYS?: string;
  /** Rate limits as `"<limit>/<windowSeconds>"` (worker/middleware/rate-limit.ts); tests lower them. */
  RATE_LIMIT_SIGN_IN_IP?: string;
  RATE_LIMIT_SIGN_IN_ACCOUNT?: string;
  RATE_LIMIT_SIGN_IN_ACCOUNT_IP?: string;
  RATE_LIMIT_SIGN_UP_IP?: string;
  RATE_LIMIT_SIGN_UP_ACCOUNT?: string;
  RATE_LIMIT_TOKEN?: string;
  /** Query executions per user and per connection, `"<limit>/<windowSeconds>"` (worker/queries/limits.ts). */
  QUERY_RATE_LIMIT_USER?: string;
  QUERY_RATE_LIMIT_CONNECTION?: string;
  /** Queries running at once on one connection. */
  QUERY_CONCURRENCY?: string;
  /** `1` lets connections reach loopback and private hosts (self-hosted, `npm start`); see connections/host-policy.ts. */
  ALLOW_PRIVATE_HOSTS?: string;
  /** Comma-separated D1 bindings organizations may attach as SQLite connections; never `DB` or a built-in. */
  USER_D1_BINDINGS?: string;
  /** Comma-separated Hyperdrive bindings organizations may name as a connection's transport. */
  USER_HYPERDRIVE_BINDINGS?: string;
  /** Local dev only: base URLs of the Neon/PlanetScale stand-ins (see dev/endpoints). */
  LOCAL_ENDPOINTS?: string;
}

export interface Variables {
  requestId: string;
  auth: AuthContext | undefined;
  /** Per-phase durations for the `Server-Timing` header (worker/middleware/server-timing.ts). */
  timing: RequestTiming | undefined;
}

export type AppEnv = { Bindings: Env; Variables: Variables };
