import type { TransportName } from '../engines/config.ts';
import type { Capabilities, EngineName, LoginPrivileges, PrivilegeReason } from '../engines/engine.ts';
import type { SSL_MODES } from '../meta/connections.ts';
import type { RemoteSqlite } from './remote-sqlite.ts';

export type SslMode = (typeof SSL_MODES)[number];

/** Connection settings as a caller gives them; secrets included. Validated by `resolveSettings`. */
export interface SettingsInput {
  engine: EngineName;
  connectionString?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  database?: string | undefined;
  user?: string | undefined;
  password?: string | null | undefined;
  sslMode?: SslMode | undefined;
  d1Binding?: string | undefined;
  /** SQLite over HTTP (remote-sqlite.ts): `d1-http` or `libsql-http`; other transports are issue 14's. */
  transport?: string | undefined;
  /** `d1-http`: the Cloudflare account id (the database id is `database`, the API token `password`). */
  accountId?: string | undefined;
  /** Transport `hyperdrive`: the Hyperdrive binding that supplies host and login. */
  hyperdrive?: string | undefined;
}

/** Settings after validation: what is stored (plain columns + secret) and what builds an engine. */
export type ResolvedSettings =
  | {
      engine: 'postgres' | 'mysql';
      usesConnectionString: boolean;
      host: string;
      port: number;
      database: string | null;
      user: string | null;
      sslMode: SslMode | null;
      password: string | null;
      connectionString: string | null;
      /** How the server is reached; a default was chosen from the host when none was asked for. */
      transport: TransportName;
      /** Transport `hyperdrive` only: the binding (then `host` is empty). */
      hyperdrive: string | null;
    }
  | {
      engine: 'sqlite';
      d1Binding: string;
      /** A database hosted by Atrium (worker/hosted-sqlite): its connection's id, naming its object. */
      hosted?: string;
      /** D1 over its REST API, or libSQL over HTTP (remote-sqlite.ts); `d1Binding` is then empty. */
      remote?: RemoteSqlite;
    };

/** The decrypted content of a row's `secret` envelope. */
export interface StoredSecret {
  password?: string;
  connectionString?: string;
  /** The read-only login's password; its user is the plain `read_only_user` column. */
  readOnlyPassword?: string;
}

/** A second login for viewers and read-only runs; same server, database and TLS as the main one. */
export interface ReadOnlyLogin {
  user: string;
  password: string;
}

/** A caller's read-only login: a password may be left out to keep the stored one for the same user. */
export interface ReadOnlyLoginInput {
  user: string;
  password?: string | undefined;
}

/** One login's finding as the API shows it. */
export interface LoginFinding {
  user: string | null;
  privileged: boolean;
  reasons: PrivilegeReason[];
}

/** What the last test found about the logins; null until a test could ask (and for SQLite). */
export interface PrivilegedLoginView extends LoginFinding {
  /** The read-only login's own finding; null when there is none or it was not tested yet. */
  readOnlyLogin: LoginFinding | null;
  /** A sentence for people ("Viewers run as a superuser …") while viewers are not held by the database. */
  warning: string | null;
}

export interface ConnectionStatus {
  state: 'untested' | 'ok' | 'error';
  latencyMs: number | null;
  serverVersion: string | null;
  error: { code: string; message: string } | null;
  testedAt: string | null;
}

/** What the API returns for a connection. Never a password or a full connection string. */
export interface ConnectionView {
  id: string;
  name: string;
  description: string;
  color: string;
  engine: EngineName;
  /** What the engine can do, so clients never branch on `engine`. */
  capabilities: Capabilities;
  builtin: boolean;
  active: boolean;
  tags: string[];
  usesConnectionString: boolean;
  host: string | null;
  port: number | null;
  database: string | null;
  user: string | null;
  sslMode: SslMode | null;
  d1Binding: string | null;
  /** How the server is reached (`tcp`, `neon-http`, `hyperdrive`…); shown on the connection card. */
  transport: TransportName | null;
  /** Transport `hyperdrive`: the binding's name. */
  hyperdrive: string | null;
  hasPassword: boolean;
  hasReadOnlyLogin: boolean;
  /** The read-only login's user name; its password never leaves the vault. */
  readOnlyUser: string | null;
  privilegedLogin: PrivilegedLoginView | null;
  /** `postgres://user:****@host:5432/db`, for display; null for SQLite. */
  connectionStringRedacted: string | null;
  status: ConnectionStatus;
  lastUsedAt: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface TestOutcome {
  ok: boolean;
  latencyMs: number | null;
  serverVersion: string | null;
  error: { code: string; message: string } | null;
  /** The HTTP status a failed test maps to (200 when ok). */
  status: number;
  /** The login's privileges when the test could ask; null otherwise. */
  privileges?: LoginPrivileges | null;
  /** Both logins' findings, as the connection view shows them. */
  privilegedLogin?: PrivilegedLoginView | null;
}
