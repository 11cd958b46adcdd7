// `npm run soak`: seven simulated days of random trading through the executor over a real pipe to the MT5
// simulator (in a thread of its own), with link drops, EA restarts and app restarts; prints its figures and exits
// 1 when an invariant fails, the app's heap growing included (docs/testing.md, "Soak"). Not part of `npm test`.
//   --days N     simulated days (default 7)
//   --seed N     random seed (default 7)
import { parseArgs } from 'node:util';
import { appHeapSlope, slope } from '../src-main/soak/invariants';
import { runSoak } from '../src-main/soak/run-soak';

const { values } = parseArgs({
  options: { days: { type: 'string', default: '7' }, seed: { type: 'string', default: '7' } },
});
const days = Number(values.days);
const seed = Number(values.seed);
if (!(days > 0 && days <= 60) || !Number.isInteger(seed)) {
  console.error('soak: --days must be a number up to 60 and --seed a whole number');
  process.exit(2);
}
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;
const kb = (bytes: number): string => `${(bytes / 1e3).toFixed(0)} KB`;
const report = await runSoak({
  hours: days * 24,
  seed,
  stepMs: 30_000,
  onDay: (day, heap) => {
    console.log(`  day ${String(day)}: heap after GC: app ${mb(heap.app)}, terminal ${mb(heap.terminal)}`);
  },
});
const f = report.facts;
const trades = f.deals.filter((d) => d.type === 0 || d.type === 1).length;
console.log(
  `soak: ${String(days)} simulated days in ${report.seconds.toFixed(1)} s wall time: ${String(report.orders)} orders (${String(report.refused)} refused), ${String(trades)} deals, ${String(report.drops)} link drops, ${String(report.eaRestarts)} EA restarts, ${String(report.appRestarts)} app restarts`,
);
console.log(
  `  balance ${f.balance.toFixed(2)} (initial ${f.initialBalance.toFixed(2)}), journal ${String(f.journalFinal)}/${String(f.journalEntries)} final`,
);
const appSlope = appHeapSlope(f);
console.log(
  appSlope === undefined
    ? `  memory not judged: fewer than 3 simulated days after the ${String(f.warmUpDays)}-day warm-up`
    : `  app heap slope after the ${String(f.warmUpDays)}-day warm-up: ${kb(appSlope)} a day (limit ${kb(f.heapSlopeLimit)}); terminal heap slope ${kb(slope(f.terminalHeapPerDay.slice(f.warmUpDays)))} a day (not judged)`,
);
if (report.violations.length > 0) {
  for (const v of report.violations) console.log(`  VIOLATED: ${v}`);
  process.exit(1);
}
console.log('  every invariant held');
