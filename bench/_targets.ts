// The one place benchmarks report a figure against its target. Each bench calls check() where it prints a
// verdict; bench/run.ts reads what was recorded, prints the summary, fails the run on a miss (unless
// --report-only) and can write docs/benchmarks.md. See docs/benchmarks.md.

export interface TargetCheck {
  bench: string;
  name: string;
  figure: string;
  target: string;
  isMet: boolean;
}

const checks: TargetCheck[] = [];
let currentBench = 'bench';

/** Set by the runner before it runs a benchmark, so its checks are attributed to it. */
export function startBench(name: string): void {
  currentBench = name;
}

/** Records one figure against its target and returns the word to print beside it. */
export function check(name: string, figure: string, target: string, isMet: boolean): 'met' | 'MISSED' {
  checks.push({ bench: currentBench, name, figure, target, isMet });
  return isMet ? 'met' : 'MISSED';
}

export function recordedChecks(): readonly TargetCheck[] {
  return checks;
}

const notes: { bench: string; text: string }[] = [];

/** A fact the figures depend on (a filesystem, a transport), printed and published with them. */
export function note(text: string): void {
  notes.push({ bench: currentBench, text });
  console.log(text);
}

export function recordedNotes(bench: string): string[] {
  return notes.filter((n) => n.bench === bench).map((n) => n.text);
}
