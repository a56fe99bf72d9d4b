import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Context } from 'hono';
import { writeSessionHeaders } from '../../durable-objects/room-session.ts';
import { authorize } from '../auth/policy.ts';
import type { AppEnv } from '../env.ts';
import { ApiError, forbidden } from '../errors.ts';
import { apiTokens, users } from '../meta/auth.ts';
import { allowedOrigins } from '../middleware/csrf.ts';
import { openDocument } from './preload.ts';
import { roomOf } from './rooms.ts';

/**
 * `GET /parties/document/:id` (WebSocket upgrade): authenticates the caller (cookie or
 * Bearer token, resolved by `resolveAuth`), checks the document is in the caller's active
 * organization, then hands the request to the document's room with the session in headers.
 * Refusals are plain HTTP errors, so no socket is ever opened for them.
 */
export async function documentSocket(c: Context<AppEnv>): Promise<Response> {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new ApiError(426, 'upgrade_required', 'This endpoint only accepts WebSocket upgrades');
  }
  const auth = authorize(c.get('auth'), 'document.read');
  // Browsers attach cookies to cross-site WebSocket handshakes and CORS does not apply:
  // a cookie-authenticated upgrade must come from our own (or an allowed) origin.
  if (auth.via === 'session') {
    const origin = c.req.header('origin');
    const self = new URL(c.req.url).origin;
    if (origin && origin !== self && !allowedOrigins(c.env.CORS_ORIGINS).has(origin)) {
      throw forbidden('Cross-site WebSocket upgrade refused');
    }
  }
  const id = c.req.param('id') ?? '';
  // One round trip at most (issue 17): the document (in the caller's org; read with the token
  // when the auth read was cold, documents/preload.ts), and only if the auth read did not carry
  // them, the name the room shows and the token's expiry.
  const db = drizzle(c.env.DB);
  const [document, user, token] = await Promise.all([
    openDocument(c.env, c.req.raw, auth.orgId, id),
    auth.name !== undefined
      ? { name: auth.name }
      : db.select({ name: users.name }).from(users).where(eq(users.id, auth.userId)).get(),
    !auth.tokenId
      ? undefined
      : auth.tokenExpiresAt !== undefined
        ? { expiresAt: auth.tokenExpiresAt === null ? null : new Date(auth.tokenExpiresAt) }
        : db
            .select({ expiresAt: apiTokens.expiresAt })
            .from(apiTokens)
            .where(eq(apiTokens.id, auth.tokenId))
            .get(),
  ]);

  const headers = new Headers(c.req.raw.headers);
  // The room shows this name (and a colour derived from the user id) as the member's presence,
  // whatever the client puts in its awareness state.
  writeSessionHeaders(headers, {
    userId: auth.userId,
    name: user?.name || auth.email,
    orgId: auth.orgId,
    role: auth.role,
    // A token socket closes when the token is revoked (see rooms.ts) or expires.
    ...(auth.tokenId ? { tokenId: auth.tokenId } : {}),
    ...(token?.expiresAt ? { tokenExpiresAt: token.expiresAt.getTime() } : {}),
  });
  // Credentials stop here: the room never needs the cookie or token.
  headers.delete('cookie');
  headers.delete('authorization');
  const res = await roomOf(c.env, document.id).fetch(new Request(c.req.raw, { headers }));
  // A fetched response has immutable headers; the app's middleware adds security headers.
  return res.webSocket
    ? new Response(null, { status: 101, webSocket: res.webSocket, headers: res.headers })
    : new Response(res.body, res);
}
