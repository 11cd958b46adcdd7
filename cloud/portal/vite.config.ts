import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The account portal, served by the cloud at `/` (cloud/src serves `cloud/portal/dist` with an SPA fallback).
// `root` is pinned to this folder so `vite build --config cloud/portal/vite.config.ts` works from the repo root.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npx vite --config cloud/portal/vite.config.ts` during development, with the cloud on :8080.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
