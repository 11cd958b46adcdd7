// `npm run bench`: runs every benchmark in bench/ in turn (or those named: `npm run bench -- executor ui`).
// Each benchmark prints its figures beside its targets and against a baseline measured in the same run.
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Benchmark {
  run: () => Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const names = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts') && !f.startsWith('_'))
  .map((f) => basename(f, '.ts'))
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort();

let failed = 0;
for (const name of names) {
  console.log(`\n=== bench/${name} ===`);
  const started = performance.now();
  try {
    const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as Partial<Benchmark>;
    if (typeof mod.run !== 'function') throw new Error('exports no run()');
    await mod.run();
  } catch (error) {
    failed++;
    console.log(
      `bench/${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
  console.log(`(bench/${name} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
console.log(`\n${names.length - failed} benchmarks ran, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
