import { describe, expect, it } from 'vitest';
import { createAppStore } from './app-store';
import { loadOneClickDrafts, ONE_CLICK_STORAGE_KEY, persistOneClickDrafts } from './draft-persistence';

function memoryStorage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return {
    map,
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => {
      map.set(key, value);
    },
  };
}

describe('one-click drafts over a reload', () => {
  it('saves what is typed and gives it back to the next store', () => {
    const storage = memoryStorage();
    const first = createAppStore();
    persistOneClickDrafts(first, storage);
    first.getState().setOneClick('EURUSD', { volume: '0.37', slPips: '12', tpPips: '30' });
    const second = createAppStore();
    persistOneClickDrafts(second, storage);
    expect(second.getState().oneClick['EURUSD']).toEqual({ volume: '0.37', slPips: '12', tpPips: '30' });
  });

  it('drops saved data that is not drafts instead of trusting it', () => {
    expect(loadOneClickDrafts(memoryStorage({ [ONE_CLICK_STORAGE_KEY]: '{not json' }))).toEqual({});
    expect(loadOneClickDrafts(memoryStorage({ [ONE_CLICK_STORAGE_KEY]: '{"EURUSD":{"volume":1}}' }))).toEqual(
      {},
    );
    expect(loadOneClickDrafts(memoryStorage())).toEqual({});
  });
});
