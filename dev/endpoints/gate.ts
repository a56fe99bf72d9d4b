/**
 * Who may use the stand-ins. They listen on 127.0.0.1, but every web page the developer opens can
 * still send requests to loopback (fetch, form POSTs, WebSockets), so loopback alone does not
 * keep strangers out. Two checks do:
 * - a per-install secret as the first path segment (`/<secret>/sql`), which only the Worker is
 *   told (through `LOCAL_ENDPOINTS`); a page cannot read or guess it;
 * - no browser markers: browsers send `Origin` on every WebSocket upgrade and cross-origin POST,
 *   and `Sec-Fetch-Site` on every request, while workerd's fetch and WebSocket client send neither.
 * The Host check turns away DNS-rebinding pages, whose requests carry their own host name.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** 32 random bytes as hex: URL-safe, so it can sit in a path segment unescaped. */
export const newEndpointSecret = (): string => randomBytes(32).toString('hex');

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

// Hashing first gives both sides the same length, so the comparison time says nothing about
// how much of a guess was right.
const digest = (value: string) => createHash('sha256').update(value).digest();

export type GateResult = { ok: true; path: string } | { ok: false; status: 403 };

/** The route below the secret (`/sql`, `/v2`, `/psdb.v1alpha1.Database/Execute`) when the request may pass. */
export function admit(req: IncomingMessage, secret: string): GateResult {
  const refused = { ok: false, status: 403 } as const;
  if (req.headers.origin !== undefined || req.headers['sec-fetch-site'] !== undefined) return refused;
  if (!LOOPBACK_HOST.test(req.headers.host ?? '')) return refused;
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  const match = /^\/([^/]*)(\/.*)?$/.exec(pathname);
  if (!match || !timingSafeEqual(digest(match[1]!), digest(secret))) return refused;
  return { ok: true, path: match[2] ?? '/' };
}
