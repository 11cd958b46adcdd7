import { useEffect, useImperativeHandle, useState, type ReactNode, type Ref } from 'react';
import { describeError } from '../api/api-error';
import { SyncJournalPage, type SyncedJournalEntry } from '../api/schemas';
import { api } from '../session/session';
import { Badge, Button, Card, Notice } from '../ui/Controls';
import { formatNumber, formatTime } from './format';

interface Filters {
  state: string;
  symbol: string;
  origin: string;
  from: string;
  to: string;
}

const noFilters: Filters = { state: '', symbol: '', origin: '', from: '', to: '' };

function query(filters: Filters, cursor: string | null): string {
  const params = new URLSearchParams({ limit: '25' });
  if (cursor !== null) params.set('cursor', cursor);
  if (filters.state !== '') params.set('state', filters.state);
  if (filters.symbol.trim() !== '') params.set('symbol', filters.symbol.trim().toUpperCase());
  if (filters.origin !== '') params.set('origin', filters.origin);
  if (filters.from !== '') params.set('from', new Date(`${filters.from}T00:00:00`).toISOString());
  if (filters.to !== '') {
    const end = new Date(`${filters.to}T00:00:00`);
    end.setDate(end.getDate() + 1);
    params.set('to', end.toISOString());
  }
  return params.toString();
}

const stateTone: Record<string, 'ok' | 'warn' | 'danger' | 'accent' | undefined> = {
  done: 'ok',
  rejected: 'danger',
  failed: 'danger',
  unknown: 'warn',
  sent: 'accent',
  pending: 'accent',
};

/** Lets the page push live journal events into the table. */
export interface JournalHandle {
  upsert(entries: readonly SyncedJournalEntry[]): void;
}

/** The synced journal of one connection: newest first, filterable, paged by cursor. */
export function Journal({
  connectionId,
  ref,
}: {
  connectionId: string;
  ref?: Ref<JournalHandle>;
}): ReactNode {
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [draft, setDraft] = useState<Filters>(noFilters);
  // cursors[i] is the cursor that loads page i (page 0 has none)
  const [cursors, setCursors] = useState<readonly (string | null)[]>([null]);
  const [page, setPage] = useState<SyncJournalPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pageIndex = cursors.length - 1;
  const cursor = cursors[pageIndex] ?? null;

  useEffect(() => {
    let current = true;
    const path = `/connections/${encodeURIComponent(connectionId)}/journal?${query(filters, cursor)}`;
    void api.call('GET', path, SyncJournalPage).then((answer) => {
      if (!current) return;
      if (answer.ok) {
        setPage(answer.value);
        setError(null);
      } else setError(describeError(answer.error));
    });
    return () => {
      current = false;
    };
  }, [connectionId, filters, cursor]);

  useImperativeHandle(
    ref,
    () => ({
      upsert(entries) {
        // Live updates only touch the first page: a later page is a snapshot the user is reading.
        if (pageIndex !== 0) return;
        setPage((current) => {
          if (current === null) return current;
          const byId = new Map(current.entries.map((e) => [e.id, e]));
          let added = false;
          for (const entry of entries) {
            const known = byId.get(entry.id);
            if (known !== undefined) {
              if (known.version < entry.version) byId.set(entry.id, entry);
            } else if (matches(entry, filters)) {
              byId.set(entry.id, entry);
              added = true;
            }
          }
          const sorted = [...byId.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
          return {
            ...current,
            entries: added ? sorted.slice(0, Math.max(25, current.entries.length)) : sorted,
          };
        });
      },
    }),
    [pageIndex, filters],
  );

  const apply = (): void => {
    setFilters(draft);
    setCursors([null]);
  };

  return (
    <Card
      title="Journal"
      subtitle="Every trade intent your desktop ran, with its outcome. Synced from the desktop's own journal."
      flush
      testId="journal"
    >
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <div className="field">
          <label htmlFor="f-state">State</label>
          <select
            id="f-state"
            value={draft.state}
            onChange={(e) => {
              setDraft({ ...draft, state: e.target.value });
            }}
          >
            <option value="">Any</option>
            <option value="done">Done</option>
            <option value="rejected,failed">Rejected or failed</option>
            <option value="unknown">Unknown outcome</option>
            <option value="pending,sent">In flight</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-symbol">Symbol</label>
          <input
            id="f-symbol"
            placeholder="EURUSD"
            value={draft.symbol}
            onChange={(e) => {
              setDraft({ ...draft, symbol: e.target.value });
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="f-origin">Origin</label>
          <select
            id="f-origin"
            value={draft.origin}
            onChange={(e) => {
              setDraft({ ...draft, origin: e.target.value });
            }}
          >
            <option value="">Any</option>
            <option value="local">Desktop</option>
            <option value="remote">Portal (remote)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-from">From</label>
          <input
            id="f-from"
            type="date"
            value={draft.from}
            onChange={(e) => {
              setDraft({ ...draft, from: e.target.value });
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="f-to">To</label>
          <input
            id="f-to"
            type="date"
            value={draft.to}
            onChange={(e) => {
              setDraft({ ...draft, to: e.target.value });
            }}
          />
        </div>
        <Button type="submit" variant="secondary">
          Apply
        </Button>
        {JSON.stringify(filters) === JSON.stringify(noFilters) ? null : (
          <Button
            variant="ghost"
            onClick={() => {
              setDraft(noFilters);
              setFilters(noFilters);
              setCursors([null]);
            }}
          >
            Clear
          </Button>
        )}
      </form>
      {error === null ? null : (
        <div className="card-body">
          <Notice tone="error">{error}</Notice>
        </div>
      )}
      {page === null ? (
        <div className="empty">{error === null ? 'Loading…' : ''}</div>
      ) : page.entries.length === 0 ? (
        <div className="empty" data-testid="journal-empty">
          <h3>No entries</h3>
          <p className="muted">Trades placed from the desktop or this portal appear here once synced.</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Time</th>
                <th>Operation</th>
                <th>Symbol</th>
                <th className="right">Volume</th>
                <th className="right">Price</th>
                <th>State</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((e) => (
                <tr key={e.id} data-testid="journal-row">
                  <td className="faint" style={{ whiteSpace: 'nowrap' }}>
                    {formatTime(e.created_at)}
                  </td>
                  <td>
                    <div className="row" style={{ gap: 8 }}>
                      <span>{operationLabel(e)}</span>
                      {e.origin === 'remote' ? <Badge tone="accent">Remote</Badge> : null}
                    </div>
                  </td>
                  <td className="mono">{e.symbol ?? '—'}</td>
                  <td className="right num">{formatNumber(e.filled_volume ?? e.volume)}</td>
                  <td className="right num">{formatNumber(e.filled_price ?? e.requested_price)}</td>
                  <td>
                    <Badge tone={stateTone[e.state]}>{e.state}</Badge>
                  </td>
                  <td className="result">{e.message ?? e.error_code ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="card-foot" style={{ justifyContent: 'space-between', alignItems: 'center' }}>
        <span className="faint">Page {pageIndex + 1}</span>
        <div className="row">
          <Button
            variant="secondary"
            small
            disabled={pageIndex === 0}
            onClick={() => {
              setCursors(cursors.slice(0, -1));
            }}
          >
            Newer
          </Button>
          <Button
            variant="secondary"
            small
            disabled={page?.next_cursor == null}
            onClick={() => {
              const next = page?.next_cursor;
              if (next != null) setCursors([...cursors, next]);
            }}
          >
            Older
          </Button>
        </div>
      </div>
    </Card>
  );
}

function matches(entry: SyncedJournalEntry, filters: Filters): boolean {
  if (filters.state !== '' && !filters.state.split(',').includes(entry.state)) return false;
  if (filters.symbol.trim() !== '' && entry.symbol !== filters.symbol.trim().toUpperCase()) return false;
  if (filters.origin !== '' && entry.origin !== filters.origin) return false;
  return filters.from === '' && filters.to === '';
}

function operationLabel(e: SyncedJournalEntry): ReactNode {
  const side = e.side ?? '';
  const sideClass = side.startsWith('buy') ? 'side-buy' : side.startsWith('sell') ? 'side-sell' : '';
  switch (e.operation) {
    case 'open_market':
      return <span className={sideClass}>{side === 'sell' ? 'Sell' : 'Buy'}</span>;
    case 'place_pending':
      return <span className={sideClass}>{side.replace('_', ' ')}</span>;
    case 'modify_position':
      return 'Modify position';
    case 'modify_order':
      return 'Modify order';
    case 'close_position':
      return 'Close';
    case 'close_all':
      return 'Close all';
    case 'cancel_order':
      return 'Cancel order';
  }
}
