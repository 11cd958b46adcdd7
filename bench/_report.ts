// Pure pieces of the benchmark runner: its verdict, its summary lines and the docs/benchmarks.md sections.
import type { TargetCheck } from './_targets';

export interface RunMachine {
  /** ISO date of the run (UTC). */
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** 1-minute load average when the bench started and when it ended. */
  loadStart: number;
  loadEnd: number;
}

export interface BenchOutcome {
  name: string;
  checks: readonly TargetCheck[];
  /** The error when the benchmark threw instead of finishing. */
  error?: string;
  /** Lines the bench wants published beside its figures (e.g. the journal's filesystem). */
  notes: readonly string[];
  seconds: number;
  machine: RunMachine;
}

export interface RunVerdict {
  exitCode: 0 | 1;
  line: string;
}

/** A missed target or a benchmark that failed makes the run fail, unless only reporting was asked for. */
export function runVerdict(outcomes: readonly BenchOutcome[], isReportOnly: boolean): RunVerdict {
  const all = outcomes.flatMap((o) => o.checks);
  const missed = all.filter((c) => !c.isMet);
  const failed = outcomes.filter((o) => o.error !== undefined);
  const counts =
    `${outcomes.length} benchmarks, ${failed.length} failed; ` +
    `${all.length - missed.length} targets met, ${missed.length} missed`;
  const bad = missed.length > 0 || failed.length > 0;
  if (!bad) return { exitCode: 0, line: `bench: ${counts}` };
  const which = [
    ...failed.map((o) => `bench/${o.name} failed`),
    ...missed.map((c) => `${c.bench}: ${c.name} ${c.figure} (target ${c.target})`),
  ].join('; ');
  if (isReportOnly) return { exitCode: 0, line: `bench: ${counts} (--report-only: not failing): ${which}` };
  return { exitCode: 1, line: `bench: ${counts}: ${which}` };
}

/** The summary table printed at the end of a run: figure, target, met/missed. */
export function summaryLines(checks: readonly TargetCheck[]): string[] {
  return checks.map(
    (c) =>
      `${(c.isMet ? 'met' : 'MISSED').padEnd(7)} ${`${c.bench}: ${c.name}`.padEnd(58)} ${c.figure.padStart(14)}   target ${c.target}`,
  );
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** One bench's section of docs/benchmarks.md, between markers so a later run of that bench replaces it. */
export function renderSection(o: BenchOutcome): string {
  const m = o.machine;
  const lines = [
    `<!-- bench:${o.name} -->`,
    `### bench/${o.name}`,
    '',
    `Run ${m.date} on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), ${m.os}, Node ${m.node}; ` +
      `load average ${m.loadStart.toFixed(2)} at the start, ${m.loadEnd.toFixed(2)} at the end; ${o.seconds.toFixed(0)} s.`,
    '',
  ];
  for (const note of o.notes) lines.push(`- ${note}`);
  if (o.notes.length > 0) lines.push('');
  if (o.error !== undefined) {
    lines.push(`**Failed:** ${cell(o.error)}`, '');
  }
  if (o.checks.length > 0) {
    lines.push('| figure | measured | target | verdict |', '| --- | --- | --- | --- |');
    for (const c of o.checks) {
      lines.push(
        `| ${cell(c.name)} | ${cell(c.figure)} | ${cell(c.target)} | ${c.isMet ? 'met' : '**missed**'} |`,
      );
    }
    lines.push('');
  }
  lines.push(`<!-- /bench:${o.name} -->`);
  return lines.join('\n');
}

/**
 * Puts each new section into the document: in place of the same bench's old section, or appended. Sections of
 * benches not run this time stay as they were (with their own dates).
 */
export function mergeSections(doc: string, sections: ReadonlyMap<string, string>): string {
  let out = doc.trimEnd();
  for (const [name, section] of sections) {
    const start = `<!-- bench:${name} -->`;
    const end = `<!-- /bench:${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from >= 0 && to > from) out = out.slice(0, from) + section + out.slice(to + end.length);
    else out = `${out}\n\n${section}`;
  }
  return `${out}\n`;
}
