import { describe, expect, it } from 'vitest';
import { mergeSections, renderSection, runVerdict, summaryLines, type BenchOutcome } from './_report';

const machine = {
  date: '2026-12-03T14:30:00Z',
  cpu: 'Test CPU',
  cores: 2,
  memoryGiB: 24,
  os: 'Linux 6.1',
  node: 'v20.20.2',
  loadStart: 6.5,
  loadEnd: 7.25,
};

function outcome(name: string, isMet: boolean[], error?: string): BenchOutcome {
  return {
    name,
    checks: isMet.map((m, i) => ({
      bench: name,
      name: `figure ${i}`,
      figure: `${i} ms`,
      target: '≤ 5 ms',
      isMet: m,
    })),
    notes: [],
    seconds: 12,
    machine,
    ...(error === undefined ? {} : { error }),
  };
}

describe('runVerdict', () => {
  it('passes when every target is met', () => {
    expect(runVerdict([outcome('a', [true, true]), outcome('b', [true])], false)).toEqual({
      exitCode: 0,
      line: 'bench: 2 benchmarks, 0 failed; 3 targets met, 0 missed',
    });
  });

  it('fails on one missed target and names it', () => {
    expect(runVerdict([outcome('a', [true, false])], false)).toEqual({
      exitCode: 1,
      line: 'bench: 1 benchmarks, 0 failed; 1 targets met, 1 missed: a: figure 1 1 ms (target ≤ 5 ms)',
    });
  });

  it('fails when a benchmark threw, even with no target missed', () => {
    expect(runVerdict([outcome('a', [], 'Redis down')], false).exitCode).toBe(1);
  });

  it('only reports with --report-only', () => {
    const v = runVerdict([outcome('a', [false])], true);
    expect(v.exitCode).toBe(0);
    expect(v.line).toContain('--report-only: not failing');
  });
});

describe('summaryLines', () => {
  it('prints met or MISSED, the figure and the target', () => {
    const [met, missed] = summaryLines(outcome('x', [true, false]).checks);
    expect(met?.startsWith('met ')).toBe(true);
    expect(met).toContain('x: figure 0');
    expect(met?.endsWith('target ≤ 5 ms')).toBe(true);
    expect(missed?.startsWith('MISSED ')).toBe(true);
  });
});

describe('docs sections', () => {
  it('renders machine, load, date, notes and each figure', () => {
    const s = renderSection({ ...outcome('executor', [true, false]), notes: ['journal on /tmp (tmpfs)'] });
    expect(s).toContain('<!-- bench:executor -->');
    expect(s).toContain('Run 2026-12-03T14:30:00Z on Test CPU (2 cores, 24 GiB), Linux 6.1, Node v20.20.2');
    expect(s).toContain('load average 6.50 at the start, 7.25 at the end');
    expect(s).toContain('- journal on /tmp (tmpfs)');
    expect(s).toContain('| figure 1 | 1 ms | ≤ 5 ms | **missed** |');
  });

  it('replaces a bench section in place and appends a new one, keeping the rest', () => {
    const doc = ['# Benchmarks', '', 'intro', '', renderSection(outcome('a', [true])), '', 'tail'].join('\n');
    const next = mergeSections(
      doc,
      new Map([
        ['a', renderSection(outcome('a', [false]))],
        ['b', renderSection(outcome('b', [true]))],
      ]),
    );
    expect(next).toContain('intro');
    expect(next).toContain('tail');
    expect(next.match(/<!-- bench:a -->/g)).toHaveLength(1);
    expect(next).toContain('| figure 0 | 0 ms | ≤ 5 ms | **missed** |');
    expect(next.indexOf('<!-- bench:b -->')).toBeGreaterThan(next.indexOf('tail'));
  });
});
