// The renderer's main-thread tasks from a Chromium trace (category `toplevel`): every task's wall time and the
// CPU time its thread really got. The page's long-task observer sees only tasks over 50 ms and only their wall
// time, which grows when other processes take the cores; the thread time says what the page itself cost.
import { z } from 'zod';

const TraceEvent = z.object({
  name: z.string(),
  ph: z.string(),
  pid: z.number(),
  tid: z.number(),
  /** Microseconds. */
  dur: z.number().optional(),
  tdur: z.number().optional(),
  args: z.object({ name: z.unknown().optional() }).optional(),
});
type TraceEvent = z.infer<typeof TraceEvent>;

const TraceFile = z.union([z.object({ traceEvents: z.array(z.unknown()) }), z.array(z.unknown())]);

export interface TaskTimes {
  /** Wall time of each task, ms, ascending. */
  readonly wallMs: readonly number[];
  /** Thread (CPU) time of each task, ms, ascending. */
  readonly threadMs: readonly number[];
}

/** The scheduler's top-level task event; older Chromium names it plain `RunTask`. */
const TASK_NAMES = ['ThreadControllerImpl::RunTask', 'RunTask'] as const;

/**
 * Task times on the busiest `CrRendererMain` thread of a trace (the page's; other renderers, such as a blank
 * tab, hardly run). Throws on text that is not a Chromium JSON trace: the bench then fails with the reason.
 */
export function rendererMainTasks(text: string): TaskTimes {
  const file = TraceFile.parse(JSON.parse(text));
  const raw = Array.isArray(file) ? file : file.traceEvents;
  const events: TraceEvent[] = [];
  for (const item of raw) {
    const parsed = TraceEvent.safeParse(item);
    if (parsed.success) events.push(parsed.data);
  }
  const mains = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  if (mains.size === 0) throw new Error('the trace names no CrRendererMain thread');
  const name = TASK_NAMES.find((n) => events.some((e) => e.name === n && e.ph === 'X'));
  const tasks = events.filter(
    (e) => e.ph === 'X' && e.name === name && e.dur !== undefined && mains.has(`${e.pid}:${e.tid}`),
  );
  const perThread = new Map<string, TraceEvent[]>();
  for (const task of tasks) {
    const key = `${task.pid}:${task.tid}`;
    const list = perThread.get(key);
    if (list === undefined) perThread.set(key, [task]);
    else list.push(task);
  }
  const busiest = [...perThread.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  const ascending = (values: number[]): number[] => values.sort((a, b) => a - b);
  return {
    wallMs: ascending(busiest.map((e) => (e.dur ?? 0) / 1000)),
    threadMs: ascending(busiest.map((e) => (e.tdur ?? e.dur ?? 0) / 1000)),
  };
}
