import type { WireDeal } from '../../src-bridge/protocol/messages';

/** What the soak's terminal thread is started with (`workerData`). */
export interface TerminalThreadInit {
  readonly path: string;
  readonly token: string;
  readonly startMs: number;
  readonly balance: number;
  readonly symbols: readonly string[];
  readonly commissionPerLotPerSide: number;
  readonly seed: number;
}

/** A request from the soak to its terminal thread. */
export type TerminalCall =
  | {
      readonly op: 'step';
      /** The shared simulated clock: the terminal's trade server reads this until the next step. */
      readonly nowMs: number;
      readonly quotes: readonly (readonly [symbol: string, bid: number, ask: number])[];
    }
  | { readonly op: 'waitForSession' | 'drop' | 'restart' | 'facts' | 'heap' | 'stop' };

/** What each call answers. */
export interface TerminalAnswers {
  /** Tickets of the open positions after the new quotes. */
  readonly step: readonly string[];
  readonly waitForSession: null;
  readonly drop: null;
  readonly restart: null;
  readonly facts: {
    readonly balance: number;
    readonly currencyDigits: number;
    readonly deals: readonly WireDeal[];
  };
  /** The terminal thread's heap used after a full GC, bytes. */
  readonly heap: number;
  readonly stop: null;
}

/** A numbered request and its answer on the thread's message port. */
export interface TerminalRequest {
  readonly id: number;
  readonly call: TerminalCall;
}
export type TerminalReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string };
