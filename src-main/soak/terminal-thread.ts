import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TerminalAnswers, TerminalCall, TerminalReply, TerminalThreadInit } from './terminal-messages';

/** The soak's simulated terminal, running in its own worker thread (terminal-worker.ts). */
export interface TerminalThread {
  call<C extends TerminalCall>(call: C): Promise<TerminalAnswers[C['op']]>;
  /** Stops the simulator and ends the thread. */
  stop(): Promise<void>;
}

/**
 * Starts the simulated terminal in a worker thread. The thread has its own V8 heap, so the heap the soak weighs in
 * this thread is the app's alone (docs/testing.md, "Soak"). The worker is TypeScript: it is loaded through tsx's
 * loader, as `npm run soak` loads the soak itself.
 */
export function startTerminalThread(init: TerminalThreadInit): TerminalThread {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = pathToFileURL(fileURLToPath(new URL('./terminal-worker.ts', import.meta.url))).href;
  const worker = new Worker(
    `import(${JSON.stringify(tsx)}).then((api) => api.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`,
    { eval: true, workerData: init },
  );
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;
  const failAll = (error: Error): void => {
    failure ??= error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on('message', (reply: TerminalReply) => {
    const w = waiting.get(reply.id);
    if (w === undefined) return;
    waiting.delete(reply.id);
    if (reply.ok) w.resolve(reply.value);
    else w.reject(new Error(`terminal thread: ${reply.message}`));
  });
  worker.on('error', (error) => {
    failAll(error);
  });
  worker.on('exit', (code) => {
    failAll(new Error(`terminal thread exited (${String(code)})`));
  });

  const call = <C extends TerminalCall>(c: C): Promise<TerminalAnswers[C['op']]> =>
    new Promise((resolve, reject) => {
      if (failure !== undefined) {
        reject(failure);
        return;
      }
      const id = nextId;
      nextId += 1;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, call: c });
    });
  return {
    call,
    async stop() {
      if (failure === undefined) await call({ op: 'stop' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}
