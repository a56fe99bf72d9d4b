import { getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';
import { inSession, isBookmark, sessionEnv } from '../lib/d1-sessions.ts';

/** Where the client keeps the bookmark: a cookie for the browser, a header for scripts. */
export const BOOKMARK_COOKIE = 'atrium.d1_bookmark';
export const BOOKMARK_HEADER = 'X-D1-Bookmark';

/** A bookmark only needs to outlive replication lag; an hour covers a tab left open. */
const BOOKMARK_MAX_AGE_S = 3600;

/**
 * Runs the request in one D1 session (lib/d1-sessions.ts) that starts at the client's bookmark,
 * or anywhere when it has none, and hands the session's newest bookmark back (cookie and header)
 * whenever it moved, so the client's next request reads at least what this one wrote.
 */
export const d1Session = createMiddleware<AppEnv>(async (c, next) => {
  const sent = c.req.header(BOOKMARK_HEADER) ?? getCookie(c, BOOKMARK_COOKIE);
  const from = isBookmark(sent) ? sent : undefined;
  const session = c.env.DB.withSession(from ?? 'first-unconstrained');
  c.env = sessionEnv(c.env, 'DB');
  await inSession(session, next);
  const bookmark = session.getBookmark();
  if (!bookmark || bookmark === from) return;
  try {
    c.res.headers.set(BOOKMARK_HEADER, bookmark);
    setCookie(c, BOOKMARK_COOKIE, bookmark, {
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
      maxAge: BOOKMARK_MAX_AGE_S,
    });
  } catch {
    // Immutable headers (a response passed through from fetch(), a WebSocket upgrade): the
    // client keeps its older bookmark, which is still a consistent (if older) starting point.
  }
});
