import type { ConnectionRow } from '../meta/connections.ts';

/**
 * A database hosted by Atrium: only worker/hosted-sqlite/service.ts writes transport `hosted`
 * (resolveSettings refuses it), and the row's id names the database's Durable Object.
 */
export function isHostedRow(row: Pick<ConnectionRow, 'engine' | 'transport'>): boolean {
  // Only SQLite has the `hosted` transport (ENGINE_TRANSPORTS), so the transport alone says it.
  return row.transport === 'hosted';
}
