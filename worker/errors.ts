import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import { EngineError, type EngineErrorCode } from './engines/engine.ts';

/**
 * The one error type of the API. Everything a handler throws ends up as
 * `{"error":{"code","message","requestId"}}` through `errorResponse`.
 * `code` is stable and machine-readable; `message` is for people and must never
 * carry a secret, a password or a connection string.
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: { details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new ApiError(400, code, message, { details });
export const unauthorized = (message = 'Sign in or send a valid API token') =>
  new ApiError(401, 'unauthorized', message);
export const forbidden = (message = 'Your role does not allow this action') =>
  new ApiError(403, 'forbidden', message);
/** A 403 with its own code, for refusals more specific than the role check (`read_only_violation`...). */
export const refused = (code: string, message: string, details?: Record<string, unknown>) =>
  new ApiError(403, code, message, { details });
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new ApiError(429, 'rate_limited', 'Too many requests; retry later', {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    details: { retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)) },
  });
/** An upstream (user database, D1, a driver endpoint) failed; the message names it. */
export const upstream = (code: string, message: string, status: ContentfulStatusCode = 502) =>
  new ApiError(status, code, message);

/**
 * How user-database failures become HTTP, for every route that reaches an engine.
 * The caller's mistakes are 4xx; a database that refuses, cannot be found or
 * misbehaves is 502, one that does not answer in time 504. `auth_failed` is 502,
 * not 401: the database refused the stored credentials, the Atrium session is fine.
 */
const ENGINE_STATUS: Record<EngineErrorCode, ContentfulStatusCode> = {
  invalid_config: 400,
  unsupported: 400,
  query_error: 400,
  read_only_violation: 403,
  auth_failed: 502,
  host_not_found: 502,
  connection_refused: 502,
  tls_error: 502,
  upstream_error: 502,
  // The database is up but full: a retryable "try again later", not a broken server.
  too_many_connections: 503,
  timeout: 504,
};

export function fromEngineError(err: EngineError): ApiError {
  const details: Record<string, unknown> = {};
  if (err.dbCode !== undefined) details.dbCode = err.dbCode;
  if (err.position !== undefined) details.position = err.position;
  return new ApiError(ENGINE_STATUS[err.code], err.code, err.message, {
    details: Object.keys(details).length > 0 ? details : undefined,
  });
}

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: Record<string, unknown> };
}

/** Flattens zod issues into `{ path: message }` so clients can point at the field. */
export function zodDetails(error: ZodError): Record<string, unknown> {
  return {
    issues: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  };
}

/** Maps anything thrown to the JSON envelope. The only place errors become HTTP. */
export function errorResponse(c: Context, err: unknown): Response {
  const requestId = (c.get('requestId') as string | undefined) ?? 'unknown';
  let apiError: ApiError;
  if (err instanceof ApiError) {
    apiError = err;
  } else if (err instanceof EngineError) {
    apiError = fromEngineError(err);
  } else if (err instanceof ZodError) {
    apiError = badRequest('invalid_request', 'The request does not match the schema', zodDetails(err));
  } else if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = status === 413 ? 'payload_too_large' : status === 403 ? 'forbidden' : 'http_error';
    apiError = new ApiError(status, code, err.message || 'Request refused');
  } else if (isD1Failure(err)) {
    // Atrium's own store is down: say so (503) rather than a generic 500, so
    // clients retry and monitors page; the D1 message itself stays server-side.
    console.error(JSON.stringify({ level: 'error', requestId, error: 'd1_unavailable' }));
    apiError = new ApiError(
      503,
      'metadata_unavailable',
      "Atrium's metadata store (D1) is unavailable; retry later",
    );
  } else {
    // Unknown failures are logged with their stack server-side; the client gets
    // only the request id, because raw driver messages can quote credentials.
    console.error(
      JSON.stringify({ level: 'error', requestId, error: err instanceof Error ? err.name : typeof err }),
    );
    apiError = new ApiError(500, 'internal_error', 'Internal error; quote the request id when reporting it');
  }
  const body: ErrorBody = {
    error: {
      code: apiError.code,
      message: apiError.message,
      requestId,
      ...(apiError.details ? { details: apiError.details } : {}),
    },
  };
  return c.json(body, apiError.status, apiError.headers);
}

/** D1 reports its own failures as Errors whose message starts with `D1_` (D1_ERROR, D1_EXEC_ERROR...). */
function isD1Failure(err: unknown): boolean {
  // Libraries (Better Auth, drizzle) wrap it: look down the cause chain.
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    // A constraint failure is a bug in the caller, not an outage.
    if (/^D1_[A-Z_]+/.test(e.message) && !/constraint failed/i.test(e.message)) return true;
  }
  return false;
}
