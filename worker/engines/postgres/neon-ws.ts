/**
 * Neon's WebSocket transport (`Client` from @neondatabase/serverless, a pg fork): one session per
 * script or stream. Locally (env.LOCAL_ENDPOINTS) the socket goes to dev/endpoints' proxy.
 */
import { Client } from '@neondatabase/serverless';
import type { LocalEndpoints } from '../config.ts';
import { connectWithin, type PgClientLike, PgClientSession } from './pg-session.ts';
import type { PgSession } from './pg-transport.ts';

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
    const session = new PgClientSession(client as unknown as PgClientLike, notices);
    return connectWithin(session);
  };
}
