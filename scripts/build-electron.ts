// Bundles the Electron main process and preload into dist-electron/ (CommonJS, what Electron loads fastest and
// what a sandboxed preload requires: one file, no `require` of our own modules). The renderer is built by
// `npm run build` (vite). Native and Electron modules stay external; electron-builder packs node_modules for them.
import { build, type BuildOptions } from 'esbuild';
import { rmSync } from 'node:fs';

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['electron', 'better-sqlite3'],
  legalComments: 'none',
};

rmSync('dist-electron', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { main: 'src-main/electron/main.ts' },
  outExtension: { '.js': '.cjs' },
  outdir: 'dist-electron',
});
// The preload runs sandboxed: only `electron` may be required, so everything else is inlined.
await build({
  ...common,
  external: ['electron'],
  entryPoints: { preload: 'src-main/electron/preload.ts' },
  minify: true,
  outExtension: { '.js': '.cjs' },
  outdir: 'dist-electron',
});
console.log('build-electron: dist-electron/main.cjs and dist-electron/preload.cjs written');
