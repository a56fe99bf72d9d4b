import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

// Runs before each test file: both D1 databases start from the real migrations,
// exactly what `wrangler d1 migrations apply` gives a deployment.
await applyD1Migrations(env.DB, env.META_MIGRATIONS);
await applyD1Migrations(env.DEMO_DB, env.DEMO_MIGRATIONS);
