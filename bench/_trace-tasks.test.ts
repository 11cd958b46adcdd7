import { describe, expect, it } from 'vitest';
import { rendererMainTasks } from './_trace-tasks';

const meta = (pid: number, tid: number, name: string): object => ({
  name: 'thread_name',
  ph: 'M',
  pid,
  tid,
  args: { name },
});
const task = (pid: number, tid: number, durUs: number, tdurUs?: number): object => ({
  name: 'ThreadControllerImpl::RunTask',
  ph: 'X',
  pid,
  tid,
  ts: 0,
  dur: durUs,
  args: { src_file: 'base/task/sequence_manager.cc', src_func: 'PostTask' },
  ...(tdurUs === undefined ? {} : { tdur: tdurUs }),
});

describe('rendererMainTasks', () => {
  it("takes the busiest renderer main thread's tasks, wall and thread time in ms, ascending", () => {
    const trace = {
      traceEvents: [
        meta(1, 10, 'CrRendererMain'),
        meta(2, 20, 'CrRendererMain'),
        meta(1, 11, 'Compositor'),
        task(1, 10, 52_000, 20_000),
        task(1, 10, 3_000, 2_500),
        task(1, 10, 9_000),
        task(2, 20, 80_000, 80_000),
        task(1, 11, 99_000, 99_000),
        { name: 'Layout', ph: 'X', pid: 1, tid: 10, dur: 40_000 },
      ],
    };
    expect(rendererMainTasks(JSON.stringify(trace))).toEqual({
      wallMs: [3, 9, 52],
      threadMs: [2.5, 9, 20],
    });
  });

  it('reads the array form and the older RunTask name', () => {
    const trace = [meta(3, 30, 'CrRendererMain'), { ...task(3, 30, 7_000, 6_000), name: 'RunTask' }];
    expect(rendererMainTasks(JSON.stringify(trace))).toEqual({ wallMs: [7], threadMs: [6] });
  });

  it('skips malformed events and refuses what is not a trace', () => {
    const trace = {
      traceEvents: [meta(1, 10, 'CrRendererMain'), { ph: 'X', dur: 'long' }, task(1, 10, 4_000)],
    };
    expect(rendererMainTasks(JSON.stringify(trace)).wallMs).toEqual([4]);
    expect(() => rendererMainTasks('not json')).toThrow();
    expect(() => rendererMainTasks(JSON.stringify({ events: [] }))).toThrow();
    expect(() => rendererMainTasks(JSON.stringify({ traceEvents: [task(1, 10, 4_000)] }))).toThrow(
      /no CrRendererMain/,
    );
  });
});
