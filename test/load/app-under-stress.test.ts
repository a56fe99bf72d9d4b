/**
 * The two long runs against a real Atrium, side by side so their minutes overlap: the load
 * test (mixed-traffic.ts) on one app instance, and the restart soak (restart-soak.ts) on
 * another that it SIGKILLs and restarts. Each starts its own wrangler dev (fresh D1 and
 * Durable Object state, its own ports) and stops it afterwards.
 */
import { describe, inject, it } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { LOAD_LIMITS, mixedTraffic, SECONDS } from './mixed-traffic.ts';
import { RESTARTS, restartSoak } from './restart-soak.ts';

async function withApp(run: (app: AppServer) => Promise<void>): Promise<void> {
  const app = await startAppServer({ localEndpoints: inject('localEndpoints'), vars: LOAD_LIMITS });
  try {
    await run(app);
  } finally {
    await app.stop();
  }
}

describe.concurrent('Atrium under stress', () => {
  it(`serves ${SECONDS} s of mixed traffic with correct answers and converged rooms`, async ({ expect }) => {
    await withApp((app) => mixedTraffic(expect, app));
  }, 600_000);

  it(`keeps every acknowledged edit and audits every query once across ${RESTARTS} runtime kills`, async ({
    expect,
  }) => {
    await withApp((app) => restartSoak(expect, app));
  }, 900_000);
});
