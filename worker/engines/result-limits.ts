/**
 * Bounds on what one response may hold, enforced while reading: an isolate has 128 MB, and a
 * `select repeat('x', 1e6) from generate_series(1, 3000)` must cost one row, not 3 GB.
 * Engines ask the server for at most `maxRows + 1` rows (a cursor FETCH, a portal row limit,
 * `sql_select_limit`), and every HTTP body is read through `fetchCapped`, which stops at a byte
 * cap instead of buffering whatever the server sends.
 */
import { EngineError } from './engine.ts';

/** Result bytes per response (values as the server sent them, before JSON). */
export const MAX_RESULT_BYTES = 16 * 1024 * 1024;
/** An HTTP body also carries field metadata and JSON/base64 framing around the values. */
const FRAMING_SLACK = 2;

export function maxBytesOf(requested: number | undefined): number {
  if (requested === undefined) return MAX_RESULT_BYTES;
  if (!Number.isFinite(requested) || requested <= 0) {
    throw new EngineError('invalid_config', 'maxBytes must be a positive number');
  }
  return Math.min(Math.floor(requested), MAX_RESULT_BYTES);
}

/** The HTTP body size allowed for a result of `maxBytes`. */
export function bodyCapOf(maxBytes: number): number {
  return maxBytes * FRAMING_SLACK + 64 * 1024;
}

/** Thrown by `fetchCapped`; engines turn it into a truncated result or a clear error. */
export class ResponseTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`The result is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
    this.name = 'ResponseTooLarge';
  }
}

/**
 * Our own cap (through the driver's `cause`/`sourceError` wrapping), or the service's: Neon and
 * PlanetScale refuse oversized responses with "response is too large" (the stand-ins too).
 */
export function isTooLarge(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof ResponseTooLarge) return true;
    if (e instanceof Error && /response is too large/i.test(e.message)) return true;
    const next = e as { sourceError?: unknown; cause?: unknown };
    e = next.sourceError ?? next.cause;
  }
  return false;
}

export function tooLargeError(maxBytes: number, cause?: unknown): EngineError {
  return new EngineError(
    'query_error',
    `The result is larger than ${Math.round(maxBytes / 1024 / 1024)} MB. Select fewer rows or columns (add a LIMIT or a WHERE).`,
    { cause },
  );
}

/**
 * `fetch`, but a body over `maxBytes` is cut off and fails instead of being buffered whole.
 * `onRead` learns each body's size, for a budget shared by several requests.
 */
export async function fetchCapped(
  input: string | URL | Request,
  init: RequestInit | undefined,
  maxBytes: number,
  onRead?: (bytes: number) => void,
): Promise<Response> {
  const res = await fetch(input, init);
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw new ResponseTooLarge(maxBytes);
  }
  if (!res.body) return res;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ResponseTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  onRead?.(total);
  const body = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

const LEADING = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*/;

/** Statements a Postgres cursor can hold: their rows can be fetched a bounded batch at a time. */
export function isRowQuery(sql: string): boolean {
  return /^(select|with|values|table)\b/i.test(sql.replace(LEADING, ''));
}
