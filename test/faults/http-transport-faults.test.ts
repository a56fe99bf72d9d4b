/**
 * Network faults on the HTTP transports (neon-http, neon-ws, planetscale-http), against the real
 * app under `wrangler dev`. The local stand-ins (dev/endpoints) dial the host:port a connection
 * names, so a connection whose port is a fault proxy's (test/support/fault-proxy.ts) puts the
 * proxy on the stand-in's link to the database, the hop a real Neon or PlanetScale proxy owns:
 * - a slow link → `timeout` within the statement's timeout, not whenever the link wakes up;
 * - a link cut mid-query, mid-export or mid-sync → a clear JSON error, a failed download (never
 *   a file that ends like a complete one), a failed sync that leaves the last good snapshot;
 * and each time the next query on the same connection works, without restarting Atrium.
 */
import { describe, it } from 'vitest';
import { HTTP_TARGETS, useProxiedApp } from '../support/fault-app.ts';
import {
  exportUnderFault,
  FAULT_ENGINES,
  HTTP_TRANSPORT_NAMES,
  HTTP_TRANSPORTS,
  itAnswersThenTimesOutOnASlowLink,
  queryUnderFault,
  sleepSql,
  syncUnderFault,
} from '../support/fault-targets.ts';

const linkOf = useProxiedApp(HTTP_TARGETS);

describe.each(HTTP_TRANSPORT_NAMES)('network faults over %s', (transport) => {
  const engine = HTTP_TRANSPORTS[transport];
  const cut = () => linkOf(transport).link.dropAll();

  itAnswersThenTimesOutOnASlowLink(() => linkOf(transport));

  it('fails a query whose link is cut mid-statement with a clear error, then recovers', async () => {
    const { client, conn, link } = linkOf(transport);
    // Noticed when the socket breaks (so not `timeout`): the stand-in answers for the lost session.
    const codes = /upstream_error|connection_refused/;
    await queryUnderFault(client, conn, { sql: sleepSql(engine, 20), timeoutMs: 5_000, codes }, link, cut);
  }, 60_000);

  it('turns a link cut mid-export into a failed download, not a truncated file', async () => {
    const { client, conn } = linkOf(transport);
    await exportUnderFault(client, conn, engine, `http_export_fault_${transport.replace('-', '_')}`, cut);
  }, 120_000);

  it('fails a sync whose link is cut mid-introspection and keeps the last good snapshot', async () => {
    const { client, conn, link } = linkOf(transport);
    await syncUnderFault(client, conn, FAULT_ENGINES[engine].schema, link, cut);
  }, 120_000);
});
