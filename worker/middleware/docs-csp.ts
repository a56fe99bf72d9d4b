import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';

/**
 * CSP for the /api/docs page. Scalar's HTML loads its bundle (served from our
 * own assets, see web/vite.config.ts) and then runs one inline bootstrap
 * script; that script is allowed by its SHA-256 hash, never by 'unsafe-inline'.
 * Fonts are the system's (`withDefaultFonts: false`), so nothing leaves the origin.
 */
export const docsCsp = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const html = await c.res.clone().text();
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(match[1] ?? ''));
    hashes.push(`'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`);
  }
  c.res.headers.set(
    'Content-Security-Policy',
    [
      "default-src 'self'",
      `script-src 'self' ${hashes.join(' ')}`,
      // Scalar's theme is an inline <style> and its components set style attributes.
      "style-src 'self' 'unsafe-inline'",
      "font-src 'self' data:",
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      "base-uri 'self'",
    ].join('; '),
  );
});
