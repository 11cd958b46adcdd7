// `npm run bench`: runs every benchmark in bench/ in turn (or those named: `npm run bench -- executor ui`).
// Each benchmark prints its figures beside its targets; the run ends with a summary (figure, target, met/missed)
// and exits 1 when a target is missed or a benchmark fails.
//   --report-only   print everything, never fail on a missed target
//   --write-docs    put this run's figures, machine, load and date into docs/benchmarks.md
// See docs/benchmarks.md.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mergeSections, renderSection, runVerdict, summaryLines, type BenchOutcome } from './_report';
import { recordedChecks, recordedNotes, startBench } from './_targets';

interface Benchmark {
  run: () => Promise<void>;
}

const { values, positionals } = parseArgs({
  options: {
    'report-only': { type: 'boolean', default: false },
    'write-docs': { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts') && !f.startsWith('_'))
  .map((f) => basename(f, '.ts'))
  .filter((n) => positionals.length === 0 || positionals.includes(n))
  .sort();
const unknown = positionals.filter((p) => !names.includes(p));
if (unknown.length > 0) {
  console.error(`bench: no benchmark named ${unknown.join(', ')} in bench/`);
  process.exit(2);
}

const outcomes: BenchOutcome[] = [];
for (const name of names) {
  console.log(`\n=== bench/${name} ===`);
  startBench(name);
  const before = recordedChecks().length;
  const loadStart = loadavg()[0] ?? 0;
  const started = performance.now();
  let error: string | undefined;
  try {
    const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as Partial<Benchmark>;
    if (typeof mod.run !== 'function') throw new Error('exports no run()');
    await mod.run();
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    console.log(`bench/${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`(bench/${name} took ${seconds.toFixed(1)} s)`);
  outcomes.push({
    name,
    checks: recordedChecks().slice(before),
    notes: recordedNotes(name),
    seconds,
    ...(error === undefined ? {} : { error }),
    machine: {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${osType()} ${release()}`,
      node: process.version,
      loadStart,
      loadEnd: loadavg()[0] ?? 0,
    },
  });
}

console.log('\n=== summary ===');
for (const line of summaryLines(outcomes.flatMap((o) => o.checks))) console.log(line);
const verdict = runVerdict(outcomes, values['report-only']);
console.log(verdict.line);

if (values['write-docs']) {
  const path = join(here, '..', 'docs', 'benchmarks.md');
  const doc = readFileSync(path, 'utf8');
  writeFileSync(path, mergeSections(doc, new Map(outcomes.map((o) => [o.name, renderSection(o)]))));
  console.log(`bench: figures written to docs/benchmarks.md (run npx prettier --write docs/benchmarks.md)`);
}
process.exitCode = verdict.exitCode;
