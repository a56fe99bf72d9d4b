/**
 * Neon's WebSocket transport (`Client` from @neondatabase/serverless, a pg fork): one session per
 * script or stream. Locally (env.LOCAL_ENDPOINTS) the socket goes to dev/endpoints' proxy.
 */
import { Client } from '@neondatabase/serverless';
import { CONNECT_TIMEOUT_MS, type LocalEndpoints, withDeadline } from '../config.ts';
import type { BoundedStatement } from './pg-portal.ts';
import { type RawResult, types } from './pg-results.ts';
import type { PgSession } from './pg-transport.ts';

class NeonSession implements PgSession {
  readonly #client: Client;
  #status: string | undefined;
  #ended = false;

  constructor(client: Client, notices: string[]) {
    this.#client = client;
    client.on('error', () => {}); // surfaced through the pending call instead of crashing the isolate
    client.on('notice', (msg: { message?: string }) => notices.push(msg.message ?? ''));
    client.connection.on('readyForQuery', (msg: { status?: string }) => {
      this.#status = msg.status ?? '';
    });
  }

  get transactionStatus() {
    return this.#status;
  }

  connect(): Promise<void> {
    return this.#client.connect();
  }

  query(text: string, values?: readonly unknown[]) {
    const args = values && values.length > 0 ? [...values] : undefined;
    return this.#client.query({ text, values: args, rowMode: 'array', types }) as unknown as Promise<
      RawResult | RawResult[]
    >;
  }

  submit(statement: BoundedStatement): void {
    this.#client.query(statement as unknown as Parameters<Client['query']>[0]);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#client.end().catch(() => {});
  }
}

/** Opens sessions to `connectionString` over Neon's WebSocket proxy. */
export function neonWebSocket(
  connectionString: string,
  local: LocalEndpoints | undefined,
): (notices: string[]) => Promise<PgSession> {
  return async (notices) => {
    const client = new Client({ connectionString });
    if (local) {
      const proxy = local.neonWs.replace(/^wss?:\/\//, '');
      client.neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
      client.neonConfig.useSecureWebSocket = local.neonWs.startsWith('wss:');
      // Pipelining assumes cleartext-password auth, which local servers (trust, scram) do not ask for.
      client.neonConfig.pipelineConnect = false;
    }
    const session = new NeonSession(client, notices);
    try {
      await withDeadline(session.connect(), CONNECT_TIMEOUT_MS, {
        onTimeout: () => session.end(),
        what: 'The database connection',
      });
    } catch (err) {
      session.end();
      throw err;
    }
    return session;
  };
}
