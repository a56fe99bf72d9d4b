import { capabilitiesOf, isBindingEngine } from '../engines/dialects.ts';
import type { ConnectionRow } from '../meta/connections.ts';
import { redactedConnectionString } from './connection-string.ts';
import { isHostedRow } from './hosted-row.ts';
import { privilegedLoginView } from './privileges.ts';
import { isRemoteSqliteRow, remoteTransportOfRow } from './remote-sqlite.ts';
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

/** SQLite over HTTP says its transport by its columns (remote-sqlite.ts); a hosted row says none here. */
function remoteTransportOfView(row: ConnectionRow) {
  return isRemoteSqliteRow(row) && !isHostedRow(row) ? remoteTransportOfRow(row) : null;
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
    // SQLite rows store none: a binding says it (rows reached over HTTP or hosted say theirs elsewhere).
    transport: row.transport ?? (row.d1Binding ? 'd1-binding' : remoteTransportOfView(row)),
    hyperdrive: row.hyperdrive,
    hasPassword: row.hasPassword,
    hasReadOnlyLogin: row.readOnlyUser !== null,
    readOnlyUser: row.readOnlyUser,
    privilegedLogin: privilegedLoginView(row.lastTestPrivileges, row.readOnlyUser),
    connectionStringRedacted:
      !isBindingEngine(row.engine) && !row.hyperdrive
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
