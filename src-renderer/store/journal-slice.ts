import type { StateCreator } from 'zustand/vanilla';
import type { JournalEntry, JournalState } from '../../src-core/contracts/journal';
import type { AppState } from './app-store';

/** The journal filter: which states, one symbol or all, and free text over the message and tickets. */
export interface JournalFilter {
  readonly states: readonly JournalState[];
  readonly symbol: string;
  readonly text: string;
}

export interface JournalSlice {
  /** Newest first. */
  readonly journal: readonly JournalEntry[];
  readonly journalFilter: JournalFilter;
  readonly upsertJournal: (entries: readonly JournalEntry[]) => void;
  readonly setJournalFilter: (patch: Partial<JournalFilter>) => void;
}

/** Entries kept in memory; older ones are a `journal:query` away. */
export const JOURNAL_LIMIT = 500;

/** Merges entries by id, keeping the highest version of each, newest first. */
export function mergeJournal(
  current: readonly JournalEntry[],
  incoming: readonly JournalEntry[],
): readonly JournalEntry[] {
  const byId = new Map(current.map((e) => [e.id, e]));
  for (const entry of incoming) {
    const known = byId.get(entry.id);
    if (known === undefined || known.version <= entry.version) byId.set(entry.id, entry);
  }
  return [...byId.values()]
    .sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id))
    .slice(0, JOURNAL_LIMIT);
}

/** Entries that pass the filter; an empty state list means every state. */
export function filterJournal(
  entries: readonly JournalEntry[],
  filter: JournalFilter,
): readonly JournalEntry[] {
  const text = filter.text.trim().toLowerCase();
  return entries.filter((e) => {
    if (filter.states.length > 0 && !filter.states.includes(e.state)) return false;
    if (filter.symbol !== '' && e.symbol !== filter.symbol) return false;
    if (text === '') return true;
    const haystack = [
      e.message,
      e.symbol,
      e.operation,
      e.side,
      e.retcodeName,
      e.errorCode,
      e.position,
      e.order,
      e.clientOrderId,
    ]
      .filter((x): x is string => typeof x === 'string')
      .join(' ')
      .toLowerCase();
    return haystack.includes(text);
  });
}

export const createJournalSlice: StateCreator<AppState, [], [], JournalSlice> = (set) => ({
  journal: [],
  journalFilter: { states: [], symbol: '', text: '' },
  upsertJournal: (entries) => {
    if (entries.length === 0) return;
    set((s) => ({ journal: mergeJournal(s.journal, entries) }));
  },
  setJournalFilter: (patch) => {
    set((s) => ({ journalFilter: { ...s.journalFilter, ...patch } }));
  },
});
