import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('/api/docs', () => {
  it('loads Scalar from our own assets and allows only its hashed inline bootstrap', async () => {
    const res = await exports.default.fetch('http://atrium.test/api/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('src="/vendor/scalar-api-reference.js"');
    expect(html).not.toMatch(/cdn\.jsdelivr|fonts\.scalar/);

    const csp = res.headers.get('Content-Security-Policy') ?? '';
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(scriptSrc).not.toMatch(/https?:/);

    // The one inline script is exactly the one the policy's hash names.
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
      (m) => m[1] ?? '',
    );
    expect(inline).toHaveLength(1);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(inline[0]));
    const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
    expect(scriptSrc.trim()).toBe(`script-src 'self' 'sha256-${hash}'`);
  });

  it('keeps the strict app policy on every other response', async () => {
    const res = await exports.default.fetch('http://atrium.test/health');
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('sha256-');
  });
});
