import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Paths are relative to the repository root, where `npm run build` runs vite. The base is
// relative so the same files load from Electron's file:// URL and from the web host's HTTP root.
export const rendererConfig = defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2023',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: { host: '127.0.0.1', strictPort: false },
});

export default rendererConfig;
