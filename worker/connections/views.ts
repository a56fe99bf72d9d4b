import { capabilitiesOf, isBindingEngine } from '../engines/dialects.ts';
import type { ConnectionRow } from '../meta/connections.ts';
import { redactedConnectionString } from './connection-string.ts';
import { privilegedLoginView } from './privileges.ts';
import type { ConnectionStatus, ConnectionView } from './types.ts';

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The last-test columns, shared by saved connections and built-in state rows. */
export type TestColumns = Pick<
  ConnectionRow,
  | 'lastTestOk'
  | 'lastTestLatencyMs'
  | 'lastTestServerVersion'
  | 'lastTestErrorCode'
  | 'lastTestErrorMessage'
  | 'lastTestedAt'
>;

export function statusOf(row: TestColumns): ConnectionStatus {
  if (row.lastTestedAt === null || row.lastTestOk === null) {
    return { state: 'untested', latencyMs: null, serverVersion: null, error: null, testedAt: null };
  }
  return {
    state: row.lastTestOk ? 'ok' : 'error',
    latencyMs: row.lastTestLatencyMs,
    serverVersion: row.lastTestServerVersion,
    error: row.lastTestErrorCode
      ? { code: row.lastTestErrorCode, message: row.lastTestErrorMessage ?? row.lastTestErrorCode }
      : null,
    testedAt: iso(row.lastTestedAt),
  };
}

/** The API's view of a saved connection: built from plain columns only, never from the secret. */
export function viewOf(row: ConnectionRow): ConnectionView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    color: row.color,
    engine: row.engine,
    capabilities: capabilitiesOf(row.engine),
    builtin: false,
    active: row.active,
    tags: row.tags,
    usesConnectionString: row.usesConnectionString,
    host: row.host,
    port: row.port,
    database: row.database,
    user: row.user,
    sslMode: row.sslMode,
    d1Binding: row.d1Binding,
    hasPassword: row.hasPassword,
    hasReadOnlyLogin: row.readOnlyUser !== null,
    readOnlyUser: row.readOnlyUser,
    privilegedLogin: privilegedLoginView(row.lastTestPrivileges, row.readOnlyUser),
    connectionStringRedacted: !isBindingEngine(row.engine)
      ? redactedConnectionString(row.engine, {
          host: row.host,
          port: row.port,
          database: row.database,
          user: row.user,
          sslMode: row.sslMode,
          hasPassword: row.hasPassword,
        })
      : null,
    status: statusOf(row),
    lastUsedAt: iso(row.lastUsedAt),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
