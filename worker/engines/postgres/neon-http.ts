/**
 * Neon's HTTP transport (`neon()` from @neondatabase/serverless): one fetch per call, nothing to
 * close. A batch goes as one transaction, and Neon runs each of its queries through the
 * extended protocol, one command per query, so the dialect can put `set_config` and a cursor
 * in front of the user's statement. The body is read with a byte cap (result-limits.ts).
 * Locally (env.LOCAL_ENDPOINTS) the fetches go to dev/endpoints instead of Neon's proxy.
 */
import { neon, neonConfig } from '@neondatabase/serverless';
import { CLIENT_GRACE_MS, type LocalEndpoints } from '../config.ts';
import { fetchCapped } from '../result-limits.ts';
import { type RawResult, types } from './pg-results.ts';
import type { PgCallOptions, PgOneShot } from './pg-transport.ts';

/**
 * neon() reads its fetch from a global; this one caps the body when the call asked for it
 * (`fetchOptions.atriumMaxBytes`) and is plain fetch otherwise.
 */
function neonFetch(input: string, init: RequestInit & { atriumMaxBytes?: number } = {}): Promise<Response> {
  const { atriumMaxBytes, ...rest } = init;
  return atriumMaxBytes ? fetchCapped(input, rest, atriumMaxBytes) : fetch(input, rest);
}

/** One-shot calls to `connectionString` over Neon's HTTP endpoint. */
export function neonHttp(
  connectionString: string,
  local: LocalEndpoints | undefined,
): (options: PgCallOptions) => PgOneShot {
  // fetchEndpoint is global-only in the driver; it is constant per isolate (a dev var), so
  // setting it here is idempotent. Production never sets LOCAL_ENDPOINTS and keeps Neon's.
  if (local) neonConfig.fetchEndpoint = local.neonHttp;
  neonConfig.fetchFunction = neonFetch;
  return (options) => {
    const signals = [
      AbortSignal.timeout(options.timeoutMs + CLIENT_GRACE_MS),
      ...(options.signal ? [options.signal] : []),
    ];
    const sql = neon(connectionString, {
      arrayMode: true,
      fullResults: true,
      fetchOptions: { signal: AbortSignal.any(signals), atriumMaxBytes: options.maxBody },
    });
    // Every query carries Atrium's parsers; results nobody reads (set_config, DECLARE) are unaffected.
    const query = (text: string, params: readonly unknown[] = []) => sql.query(text, [...params], { types });
    return {
      query: async (text, params) => (await query(text, params)) as unknown as RawResult,
      transaction: async (queries, { readOnly }) =>
        (await sql.transaction(
          queries.map((q) => query(q.text, q.params)),
          { readOnly },
        )) as unknown as RawResult[],
    };
  };
}
