import type { EngineName } from '../engines/engine.ts';
import type { SSL_MODES } from '../meta/connections.ts';

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
    }
  | { engine: 'sqlite'; d1Binding: string };

/** The decrypted content of a row's `secret` envelope. */
export interface StoredSecret {
  password?: string;
  connectionString?: string;
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
  hasPassword: boolean;
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
}
