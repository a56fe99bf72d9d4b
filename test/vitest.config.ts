import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  test: {
    root,
    // Node-side setup shared by every project: local database servers, datasets, driver endpoints.
    globalSetup: ['test/support/global-setup.ts'],
    // The Worker's one-line request logs would drown the report; errors still print.
    onConsoleLog: (log) => !log.startsWith('{"level":"info"'),
    projects: [
      {
        extends: false,
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: `${root}/wrangler.toml` },
            miniflare: {
              bindings: {
                META_MIGRATIONS: await readD1Migrations(`${root}/migrations`),
                DEMO_MIGRATIONS: await readD1Migrations(`${root}/migrations/demo`),
                AUTH_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
                VAULT_KEYS: 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
                // Neon/PlanetScale stand-ins started by test/support/global-setup.ts.
                LOCAL_ENDPOINTS: inject('localEndpoints'),
                // The test databases are on loopback; host-policy.test.ts turns this off per request.
                ALLOW_PRIVATE_HOSTS: '1',
                USER_HYPERDRIVE_BINDINGS: 'HD_PAGILA,HD_SAKILA',
              },
              // Hyperdrive's local mode (what localConnectionString gives `wrangler dev`): the
              // binding supplies these servers, so the Hyperdrive path runs against them.
              hyperdrives: {
                // atrium_pw: test/support/password-logins.ts (a binding needs a password).
                HD_PAGILA: 'postgres://atrium_pw:atrium-pw-2026@127.0.0.1:5432/pagila',
                HD_PG_SCRATCH: 'postgres://atrium_pw:atrium-pw-2026@127.0.0.1:5432/atrium_test',
                HD_SAKILA: 'mysql://atrium_pw:atrium-pw-2026@127.0.0.1:3306/sakila',
                HD_MYSQL_SCRATCH: 'mysql://atrium_pw:atrium-pw-2026@127.0.0.1:3306/atrium_test',
              },
            },
          })),
        ],
        test: {
          name: 'workers',
          root,
          include: ['test/worker/**/*.test.ts', 'test/durable-objects/**/*.test.ts'],
          setupFiles: ['test/support/apply-migrations.ts'],
        },
      },
      {
        extends: false,
        test: {
          name: 'node',
          root,
          environment: 'node',
          include: [
            'test/dev/**/*.test.ts',
            'test/browser/**/*.test.ts',
            'test/faults/**/*.test.ts',
            'test/load/**/*.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
