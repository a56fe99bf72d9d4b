/**
 * Database server faults on the HTTP transports (neon-http, neon-ws, planetscale-http), against
 * the real app under `wrangler dev` and the local stand-ins (dev/endpoints):
 * - the server ends the session mid-query, mid-export or mid-sync (MariaDB's KILL, PostgreSQL's
 *   pg_terminate_backend: what an admin, a reaper or a failover does) → a clear JSON error, a
 *   failed download, a failed sync that leaves the last good snapshot;
 * - a login with no free connection slot → `too_many_connections` with the server's code;
 * and each time the next query on the same connection works, without restarting Atrium.
 * Only the sessions Atrium opened are ended: its connections go through a fault proxy
 * (test/support/fault-proxy.ts), whose upstream ports name them to the server. Crashing the
 * whole PostgreSQL server over these transports is database-faults.test.ts; the shared MariaDB
 * cannot be crashed here (other suites use it), so KILL is the MariaDB server fault.
 */
import { describe, expect, it } from 'vitest';
import { HTTP_TARGETS, useProxiedApp } from '../support/fault-app.ts';
import { killSessionsFrom } from '../support/fault-kill.ts';
import { expectSlotsExhausted } from '../support/fault-slots.ts';
import {
  exportUnderFault,
  FAULT_ENGINES,
  HTTP_TRANSPORT_NAMES,
  HTTP_TRANSPORTS,
  queryUnderFault,
  sleepSql,
  syncUnderFault,
} from '../support/fault-targets.ts';

const linkOf = useProxiedApp(HTTP_TARGETS);

describe.each(HTTP_TRANSPORT_NAMES)('server faults over %s', (transport) => {
  const engine = HTTP_TRANSPORTS[transport];
  const kill = async () => {
    expect(await killSessionsFrom(engine, linkOf(transport).link.upstreamPorts)).toBeGreaterThan(0);
  };

  it('fails a query whose session the server kills mid-statement with a clear error, then recovers', async () => {
    const { client, conn, link } = linkOf(transport);
    // Told by the server at once, so not `timeout`: a killed session is the database's failure.
    const codes = /upstream_error|connection_refused/;
    await queryUnderFault(client, conn, { sql: sleepSql(engine, 20), timeoutMs: 15_000, codes }, link, kill);
  }, 60_000);

  it('turns the session killed mid-export into a failed download, not a truncated file', async () => {
    const { client, conn } = linkOf(transport);
    await exportUnderFault(client, conn, engine, `server_export_fault_${transport.replace('-', '_')}`, kill);
  }, 120_000);

  it('fails a sync whose session is killed mid-introspection and keeps the last good snapshot', async () => {
    const { client, conn, link } = linkOf(transport);
    await syncUnderFault(client, conn, FAULT_ENGINES[engine].schema, link, kill);
  }, 120_000);

  it('answers too_many_connections while the login has no free slot, and works once it is freed', async () => {
    await expectSlotsExhausted(linkOf(transport).client, engine, transport);
  }, 60_000);
});
