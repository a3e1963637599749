/** Builds the web UI to dist/web, which `hookyard serve` serves at `/`. */
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { ctxMembers } from './ctx-members.js';
import { precompress } from './precompress.js';

const api = process.env.HOOKYARD_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), ctxMembers(), precompress()],
  // The editor's TypeScript check runs in a module worker that loads the compiler.
  worker: { format: 'es' },
  build: {
    outDir: path.resolve(import.meta.dirname, '../dist/web'),
    emptyOutDir: true,
    // The editor's chunk is big on purpose: it loads only with the editor; the TypeScript
    // compiler of its type check (about 3 MB) loads only when a TypeScript hook is edited.
    chunkSizeWarningLimit: 4000,
    // The ctx types are read with the TypeScript compiler, which takes a few seconds: known, not news.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  // `npx vite --config web/vite.config.ts` during development, against a running server.
  server: { proxy: Object.fromEntries(['/v1', '/inbound', '/openapi.json', '/docs'].map((p) => [p, api])) },
});
