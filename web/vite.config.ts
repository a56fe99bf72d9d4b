import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import solid from 'vite-plugin-solid';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Where /api/docs loads Scalar's reference UI from (worker/app.ts points its `cdn` option here). */
export const SCALAR_ASSET = 'vendor/scalar-api-reference.js';

/**
 * Ships Scalar's standalone browser bundle with the SPA's assets, so /api/docs
 * works offline and under a CSP that allows only same-origin scripts. It is a
 * separate file, loaded by the docs page only; the app's own chunks never import it.
 */
function scalarStandalone(): Plugin {
  const source = fileURLToPath(
    new URL('../node_modules/@scalar/api-reference/dist/browser/standalone.js', import.meta.url),
  );
  return {
    name: 'atrium:scalar-standalone',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: SCALAR_ASSET, source: readFileSync(source) });
    },
  };
}

// The SPA builds into dist/web, which wrangler.toml serves as Workers static assets.
export default defineConfig({
  root,
  plugins: [solid(), scalarStandalone()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': 'http://localhost:8787',
      '/health': 'http://localhost:8787',
      '/parties': { target: 'ws://localhost:8787', ws: true },
    },
  },
});
