import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes SQL migrations for Atrium's metadata D1 into migrations/;
// wrangler applies them (`wrangler d1 migrations apply DB`), and tests apply the same files.
export default defineConfig({
  dialect: 'sqlite',
  schema: './worker/meta/schema.ts',
  out: './migrations',
  migrations: { prefix: 'index' },
});
