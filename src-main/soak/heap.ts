import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * The heap this thread uses after a full garbage collection, bytes. `--expose-gc` gives the collector as `gc`;
 * without it (under vitest) the flag is set at run time and `gc` taken from a fresh context, so the soak's heap
 * samples never include garbage. V8 flags are process-wide: a worker thread started afterwards has `gc` as well.
 */
export function heapAfterGc(): number {
  collector()();
  return process.memoryUsage().heapUsed;
}

let gc: (() => void) | undefined;

function collector(): () => void {
  if (gc !== undefined) return gc;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) gc = exposed;
  else {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  return gc;
}
