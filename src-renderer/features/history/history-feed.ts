import type { IpcClient } from '../../../src-core/contracts/ipc-client';
import { serverDayStartMs } from '../../../src-core/history/totals';
import type { AppStore } from '../../store/app-store';
import { selectReplayServerMs, sessionNowUtcMs } from '../../store/session-clock';
import { selectServerOffsetSec } from '../../store/use-app';
import type { Notifier } from '../notifications/notifier';

const DAY_MS = 86_400_000;
/**
 * How far before a range the deals are loaded, so a position closed in the range finds its opening deal. A
 * position held longer shows no open time or price (docs/ui.md, "History").
 */
export const ENTRY_LOOKBACK_MS = 30 * DAY_MS;
/**
 * The first load: the server's current day and the lookback (today's P/L and this week's history), on the active
 * session's clock: a replay's days are the file's, years back (docs/replay.md, "Deals and reports").
 */
const FIRST_LOAD_DAYS = 7;
/** The latest time a query asks up to (2100-01-01, server clock). */
const FAR_FUTURE_MS = 4_102_444_800_000;

export interface HistoryFeed {
  stop(): void;
}

/**
 * Loads the deals in [fromMs, toMs] (server clock) into the store. An answer for a terminal that is no longer the
 * active one is dropped.
 */
export async function loadDeals(
  client: IpcClient,
  store: AppStore,
  fromMs: number,
  toMs: number,
): Promise<void> {
  const state = () => store.getState();
  const sessionId = state().dealsSessionId;
  state().setHistoryLoading(true);
  try {
    const answer = await client.invoke('history:list-deals', { fromMs, toMs });
    if (state().dealsSessionId !== sessionId) return;
    if (!answer.ok) {
      state().setError('history', answer.error.message);
      return;
    }
    state().setError('history', null);
    state().addDeals(answer.value.deals);
    state().setDealsLoaded(fromMs, answer.value.isTruncated);
  } finally {
    state().setHistoryLoading(false);
  }
}

/** Makes sure deals from `serverFromMs` (minus the entry lookback) on are loaded; the History tab's range. */
export async function ensureDealsFrom(
  client: IpcClient,
  store: AppStore,
  serverFromMs: number,
): Promise<void> {
  const loaded = store.getState().dealsFromMs;
  const wanted = Math.max(0, serverFromMs - ENTRY_LOOKBACK_MS);
  if (loaded !== null && loaded <= wanted) return;
  await loadDeals(client, store, wanted, loaded ?? FAR_FUTURE_MS);
}

/**
 * Keeps the store's deals in step with the active terminal: loads a week (plus the lookback) when a terminal
 * becomes active, reloads what is loaded after the link comes back (deals made meanwhile), adds announced deals
 * and hands them to the notifier. "Now" is the active session's clock (a replay's own); `now`, the computer's
 * clock, is injected for tests.
 */
export function startHistoryFeed(
  client: IpcClient,
  store: AppStore,
  notifier: Notifier,
  now: () => number = Date.now,
): HistoryFeed {
  const state = () => store.getState();
  const load = (fromMs: number, toMs: number): Promise<void> => loadDeals(client, store, fromMs, toMs);

  /** The start of the first load's week (server clock), before the entry lookback. */
  const weekStart = (): number =>
    serverDayStartMs(sessionNowUtcMs(state(), now()), selectServerOffsetSec(state())) -
    FIRST_LOAD_DAYS * DAY_MS;
  const defaultFrom = (): number => Math.max(0, weekStart() - ENTRY_LOOKBACK_MS);

  let sessionId: string | null = null;
  let isUp = false;
  const onBridge = (): void => {
    const bridge = state().bridge;
    const up = bridge !== null && bridge.state !== 'disconnected';
    const active = up ? bridge.activeSessionId : sessionId;
    if (up && active !== sessionId) {
      sessionId = active;
      state().resetDeals(active);
      void load(defaultFrom(), FAR_FUTURE_MS);
    } else if (up && !isUp) {
      // Back after a drop: deals made while the link was down are loaded (not announced: they are not news).
      void load(state().dealsFromMs ?? defaultFrom(), FAR_FUTURE_MS);
    }
    isUp = up;
  };
  const offStore = store.subscribe((s, before) => {
    if (s.bridge !== before.bridge) onBridge();
    // A replay's status may come after the bridge made it the active session: once its clock is known, its week
    // is loaded too (nothing is asked again when that is already loaded).
    const replayOpened = s.replay?.key !== before.replay?.key || s.replay?.startMs !== before.replay?.startMs;
    if (replayOpened && selectReplayServerMs(s) !== null && sessionId !== null) {
      void ensureDealsFrom(client, store, weekStart());
    }
  });
  const offDeals = client.on('history:deals-added', ({ deals }) => {
    state().addDeals(deals);
    notifier.onDeals(deals);
  });
  onBridge();

  return {
    stop() {
      offStore();
      offDeals();
      notifier.stop();
    },
  };
}
