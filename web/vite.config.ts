import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const root = fileURLToPath(new URL('.', import.meta.url));

// The SPA builds into dist/web, which wrangler.toml serves as Workers static assets.
export default defineConfig({
  root,
  plugins: [solid()],
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
