import { z } from 'zod';
import type { AppStore } from './app-store';
import type { OneClickDraft } from './drafts-slice';

/** Where the one-click panels' fields are kept between reloads (this browser profile only). */
export const ONE_CLICK_STORAGE_KEY = 'pipdesk.one-click-drafts';

const OneClickDrafts = z.record(
  z.string().max(64),
  z.object({ volume: z.string().max(32), slPips: z.string().max(32), tpPips: z.string().max(32) }),
);
type OneClickDrafts = z.infer<typeof OneClickDrafts>;

/** The subset of the Web Storage API used here (tests pass a Map-backed one). */
export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * Reads the saved one-click fields: storage is written by other versions of the app or by hand, so anything that
 * does not parse is dropped rather than trusted.
 */
export function loadOneClickDrafts(storage: DraftStorage): Readonly<Record<string, OneClickDraft>> {
  let raw: unknown;
  try {
    raw = JSON.parse(storage.getItem(ONE_CLICK_STORAGE_KEY) ?? '{}');
  } catch {
    return {};
  }
  const parsed = OneClickDrafts.safeParse(raw);
  return parsed.success ? parsed.data : {};
}

/**
 * Restores the one-click panels' volume and SL/TP from storage and saves them whenever they change, so a reload
 * shows what the trader typed instead of the default. Returns the unsubscribe function.
 */
export function persistOneClickDrafts(store: AppStore, storage: DraftStorage): () => void {
  const saved = loadOneClickDrafts(storage);
  if (Object.keys(saved).length > 0) store.setState({ oneClick: { ...saved, ...store.getState().oneClick } });
  let last: OneClickDrafts = store.getState().oneClick;
  return store.subscribe((state) => {
    if (state.oneClick === last) return;
    last = state.oneClick;
    try {
      storage.setItem(ONE_CLICK_STORAGE_KEY, JSON.stringify(last));
    } catch {
      // A full or disabled storage only costs the convenience of keeping the fields over a reload.
    }
  });
}
