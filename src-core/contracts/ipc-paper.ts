import { z } from 'zod';

/**
 * IPC for the paper account (docs/paper-trading.md), in the same `{ request, response }` form as `ipcChannels` in
 * ipc.ts, merged there with a spread. Handlers live in src-main/services/paper. Switching between the real and the
 * paper account is `bridge:select-session`, like any other terminal: nothing switches on its own.
 */

/**
 * What paper fills cost (docs/paper-trading.md, "Costs"): commission per lot per side in the account currency,
 * charged on entry and exit deals like a broker's, and a slippage model, off at 0: every fill at market slips this
 * many points against the trader (market orders, closes, stop orders and stop losses), never a limit order.
 */
export const PaperCosts = z.strictObject({
  commissionPerLotPerSide: z.number().min(0).max(1_000),
  slippagePoints: z.number().int().min(0).max(10_000),
});
export type PaperCosts = z.infer<typeof PaperCosts>;

/** The costs of a running paper account, and where its commission came from. */
export const PaperCostsStatus = z.object({
  commissionPerLotPerSide: z.number(),
  slippagePoints: z.number(),
  /** `profile:<id>` (the live broker's profile), `none` (no profile matched: 0) or `trader` (set in Settings). */
  commissionFrom: z.string(),
});
export type PaperCostsStatus = z.infer<typeof PaperCostsStatus>;

/** The paper account as the settings and the status bar show it. */
export const PaperStatus = z.object({
  /** `login@server` of the running paper session; null when none runs. */
  key: z.string().nullable(),
  /** The live terminal whose prices it fills at (running or the one it would follow); null when none. */
  sourceKey: z.string().nullable(),
  /** Whether a live terminal (a real EA) is connected, so a paper account can open. */
  canOpen: z.boolean(),
  /** Whether a saved paper account exists for that live terminal (opening it carries on from there). */
  hasSaved: z.boolean(),
  /** The running paper account's costs; null when none runs. */
  costs: PaperCostsStatus.nullable(),
});
export type PaperStatus = z.infer<typeof PaperStatus>;

const empty = z.strictObject({});

export const paperIpcChannels = {
  'paper:get-status': { request: empty, response: PaperStatus },
  /**
   * Opens the paper account that follows the active live terminal (restoring its saved state) and makes it the
   * account trading goes to. `startingBalance` applies to a new paper account only.
   */
  'paper:open': {
    request: z.strictObject({ startingBalance: z.number().positive().max(1e9).optional() }),
    response: PaperStatus,
  },
  /** Closes the paper session (its state stays saved) and trading goes back to the live terminal. */
  'paper:close': { request: empty, response: PaperStatus },
  /** Sets the running paper account's costs; deals from then on are charged with them (and the setting is saved). */
  'paper:set-costs': { request: PaperCosts, response: PaperStatus },
  /** Deletes the paper account's balance, positions, orders and history and starts it again. Ask first. */
  'paper:reset': { request: z.strictObject({ isConfirmed: z.literal(true) }), response: PaperStatus },
} as const;

export const paperIpcEvents = {
  /** The paper account opened, closed or was reset, its costs changed, or it took new symbols from the live terminal. */
  'paper:status-changed': PaperStatus,
} as const;
