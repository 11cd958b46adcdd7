// Bundles the Electron main process and preload into dist-electron/ (CommonJS, what Electron loads fastest and
// what a sandboxed preload requires: one file, no `require` of our own modules). The renderer is built by
// `npm run build` (vite). Native and Electron modules stay external; electron-builder packs node_modules for them.
import { build, type BuildOptions } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

const common: BuildOptions = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['electron', 'better-sqlite3'],
  legalComments: 'none',
};

/** Writes dist-electron/main.cjs and dist-electron/preload.cjs (also called in-process by `npm start`). */
export async function buildElectron(): Promise<void> {
  rmSync(join(ROOT, 'dist-electron'), { recursive: true, force: true });
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
}

// Run as a script (`npm run build:electron`), not when imported by `npm start`.
if (process.argv[1]?.endsWith('build-electron.ts') === true) {
  await buildElectron();
  console.log('build-electron: dist-electron/main.cjs and dist-electron/preload.cjs written');
}
