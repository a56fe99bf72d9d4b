/**
 * The one way the web app talks to the Worker. Every non-2xx answer becomes an
 * `ApiError` carrying the server's envelope `{"error":{code,message,requestId}}`,
 * so pages show the server's words and the request id instead of guessing.
 */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    requestId?: string,
    details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.details = details;
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  /** Non-2xx statuses whose body is a result of the documented shape (e.g. a failed connection test). */
  resultStatuses?: number[];
}

function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

interface Envelope {
  error?: { code?: string; message?: string; requestId?: string; details?: Record<string, unknown> } | string;
  code?: string;
  message?: string;
}

/** Reads whichever error shape came back: Atrium's envelope, or a bare `{code,message}` from auth. */
function toApiError(res: Response, body: unknown): ApiError {
  const headerId = res.headers.get('X-Request-Id') ?? undefined;
  const env = (typeof body === 'object' && body !== null ? body : {}) as Envelope;
  if (typeof env.error === 'object' && env.error) {
    return new ApiError(
      res.status,
      env.error.code ?? 'http_error',
      env.error.message ?? res.statusText,
      env.error.requestId ?? headerId,
      env.error.details,
    );
  }
  const message = env.message ?? (typeof env.error === 'string' ? env.error : undefined);
  return new ApiError(
    res.status,
    env.code?.toLowerCase() ?? 'http_error',
    message ?? `${res.status} ${res.statusText}`,
    headerId,
  );
}

const isEnvelope = (body: unknown): boolean =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as Envelope).error === 'object' &&
  !('ok' in body);

/**
 * Which response each parsed body came in, so a success message can quote its request id while
 * every API function keeps returning the documented body (weak: bodies are collected as usual).
 */
const requestIds = new WeakMap<object, string>();

/** The `X-Request-Id` of the response `body` was read from, when it was an object. */
export function requestIdOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null ? requestIds.get(body) : undefined;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(withQuery(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      // Same-origin cookies always; `include` also covers a dev server on another allowed origin.
      credentials: 'include',
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', 'The server could not be reached');
  }
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      // A non-JSON body (an HTML error page from a proxy) is reported by status below.
      body = null;
    }
  }
  const isResult = options.resultStatuses?.includes(res.status) && body !== null && !isEnvelope(body);
  if (!res.ok && !isResult) throw toApiError(res, body);
  const id = res.headers.get('X-Request-Id');
  if (id && typeof body === 'object' && body !== null) requestIds.set(body, id);
  return body as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>(path, { method: 'POST', body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => request<T>(path, { method: 'PATCH', body }),
  delete: <T>(path: string) => request<T>(path, { method: 'DELETE' }),
};

/** A message for people: the server's message plus the request id to quote. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError)
    return err.requestId ? `${err.message} (request ${err.requestId})` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
