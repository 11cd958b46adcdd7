import { z } from 'zod';
import { Deal } from '../history/deal';
import { SymbolName } from './orders';

/**
 * IPC for the History tab, realised P/L and notifications, in the same `{ request, response }` form as
 * `ipcChannels` in ipc.ts, merged there with a spread. Handlers live in src-main/services/history (docs/ui.md,
 * "History, P/L and notifications").
 */

/** The latest time the protocol carries (ms); far enough for any "until now" query. */
const MAX_TIME_MS = 4_102_444_800_000;
const serverTime = z.number().int().min(0).max(MAX_TIME_MS);

/** Most deals one `history:list-deals` answers; the History tab says so when a range has more. */
export const MAX_HISTORY_DEALS = 20_000;

/** One OS notification (Electron's `Notification` in the desktop shell). */
export const DesktopNotice = z.strictObject({
  title: z.string().min(1).max(200),
  body: z.string().max(1_000),
  /** Notifications with the same tag replace each other: one per event, however many windows show it. */
  tag: z.string().min(1).max(100),
});
export type DesktopNotice = z.infer<typeof DesktopNotice>;

export const historyIpcChannels = {
  /** Deals of the active terminal whose time is in [fromMs, toMs] on the trade server's clock, oldest first. */
  'history:list-deals': {
    request: z
      .strictObject({ fromMs: serverTime, toMs: serverTime, symbol: SymbolName.optional() })
      .refine((r) => r.fromMs <= r.toMs, { error: 'fromMs must not be after toMs' }),
    response: z.object({
      deals: z.array(Deal),
      /** True when the terminal had more deals than {@link MAX_HISTORY_DEALS}: the oldest were left out. */
      isTruncated: z.boolean(),
    }),
  },
  /**
   * Shows an OS notification where main can (the Electron shell); `isShown: false` tells the web host's page to
   * use the browser's own Notification API instead.
   */
  'app:show-notification': {
    request: DesktopNotice,
    response: z.object({ isShown: z.boolean() }),
  },
} as const;

export const historyIpcEvents = {
  /**
   * Deals the active terminal made since the last announcement (fills, closes, SL/TP hits, stop-outs), each
   * announced once per app run. Deals from before the link (re)opened are not announced: they are history, not news.
   */
  'history:deals-added': z.object({ deals: z.array(Deal) }),
} as const;
