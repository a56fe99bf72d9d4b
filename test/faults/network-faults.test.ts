/**
 * Faults between Atrium and the database, against the real app under `wrangler dev`,
 * for PostgreSQL and MariaDB over their TCP transport (the default for loopback):
 * - a slow link (test/support/fault-proxy.ts holds every chunk back) → the query
 *   fails with `timeout` within its timeout, not whenever the link wakes up;
 * - a link cut mid-query (both engines) or mid-export (PostgreSQL) → a clear error or a
 *   failed download, never a hang, a 200 with partial rows, or a file that ends like a
 *   complete one;
 * - a login with no free connection slot → `too_many_connections`;
 * and each time Atrium works again once the fault is gone, without a restart.
 */
import { describe, expect, it } from 'vitest';
import { useProxiedApp } from '../support/fault-app.ts';
import { expectSlotsExhausted } from '../support/fault-slots.ts';
import {
  exportUnderFault,
  FAULT_ENGINES,
  type FaultEngine,
  GRACE_MS,
  itAnswersThenTimesOutOnASlowLink,
  queryUnderFault,
  sleepSql,
} from '../support/fault-targets.ts';

const ENGINES = Object.keys(FAULT_ENGINES) as FaultEngine[];

const linkOf = useProxiedApp({
  postgres: { engine: 'postgres', transport: 'tcp' },
  mysql: { engine: 'mysql', transport: 'tcp' },
});

describe.each(ENGINES)('network faults on %s over tcp', (name) => {
  itAnswersThenTimesOutOnASlowLink(() => linkOf(name));

  it('fails a query whose connection is cut mid-statement with a clear error, then recovers', async () => {
    const { client, conn, link } = linkOf(name);
    const timeoutMs = 5_000;
    const codes = /upstream_error|connection_refused|timeout/;
    const query = { sql: sleepSql(name, 20), timeoutMs, codes };
    const tookMs = await queryUnderFault(client, conn, query, link, () => link.dropAll());
    // The cut is noticed at once (about 1.1 s here, the cut included), not at the statement's own
    // timeout: both drivers fail the call in flight when their socket errors or ends.
    expect(tookMs).toBeLessThan(timeoutMs);
  }, 60_000);
});

describe.each(ENGINES)('a cut link mid-export on %s over tcp', (name) => {
  it('turns the connection cut mid-export into a failed download, not a truncated file', async () => {
    const { client, conn, link } = linkOf(name);
    const noticedMs = await exportUnderFault(client, conn, name, 'proxy_export_fault', () => link.dropAll());
    // Noticed when the socket breaks, not at a batch deadline.
    expect(noticedMs).toBeLessThan(GRACE_MS);
  }, 90_000);
});

describe.each(ENGINES)('exhausted connection slots on %s over tcp', (name) => {
  it('answers too_many_connections while the login has no free slot, and works once it is freed', async () => {
    await expectSlotsExhausted(linkOf(name).client, name, 'tcp');
  }, 60_000);
});
