import { memo, useMemo, useRef, useState, type ReactNode } from 'react';
import { splitPrice, spreadPoints } from '../../app/format';
import { useApp, useController, useQuoteWhile, useSpec } from '../../store/use-app';
import { useIsNearView } from '../../ui/use-near-view';
import type { Direction } from '../../store/market-slice';

function dirClass(direction: Direction | undefined): string {
  return direction === 1 ? 'up' : direction === -1 ? 'down' : '';
}

/** A price with its big figure emphasised, as dealing screens show it. */
export function Price(props: {
  price: number | undefined;
  digits: number;
  testId?: string;
  className?: string;
}): ReactNode {
  const part = splitPrice(props.price, props.digits);
  return (
    <span className={`price num ${props.className ?? ''}`} data-testid={props.testId}>
      <span className="price-head">{part.head}</span>
      <span className="price-big">{part.big}</span>
      <span className="price-tail">{part.tail}</span>
    </span>
  );
}

/**
 * One row; subscribed to its own symbol only, so a tick of another symbol does not re-render it, and only while
 * it is in or near view.
 */
const MarketRow = memo(function MarketRow(props: { symbol: string; isSelected: boolean }): ReactNode {
  const rowRef = useRef<HTMLTableRowElement | null>(null);
  const quote = useQuoteWhile(props.symbol, useIsNearView(rowRef));
  const spec = useSpec(props.symbol);
  const select = useApp((s) => s.selectSymbol);
  const controller = useController();
  const digits = spec?.digits ?? 5;
  return (
    <tr
      ref={rowRef}
      className={props.isSelected ? 'selected' : ''}
      data-testid={`watch-row-${props.symbol}`}
      onClick={() => {
        select(props.symbol);
      }}
    >
      <td className="sym">{props.symbol}</td>
      <td className={`num ${dirClass(quote?.bidDirection)}`} data-testid={`watch-bid-${props.symbol}`}>
        <span className="cell">{quote === undefined ? '—' : quote.bid.toFixed(digits)}</span>
      </td>
      <td className={`num ${dirClass(quote?.askDirection)}`} data-testid={`watch-ask-${props.symbol}`}>
        <span className="cell">{quote === undefined ? '—' : quote.ask.toFixed(digits)}</span>
      </td>
      <td className="num muted">
        <span className="cell">
          {quote === undefined || spec === undefined ? '' : spreadPoints(quote.bid, quote.ask, spec.point)}
        </span>
      </td>
      <td className="row-action">
        <button
          type="button"
          className="icon-btn"
          title={`Remove ${props.symbol}`}
          aria-label={`Remove ${props.symbol}`}
          data-testid={`watch-remove-${props.symbol}`}
          onClick={(e) => {
            e.stopPropagation();
            void controller.removeSymbol(props.symbol);
          }}
        >
          ×
        </button>
      </td>
    </tr>
  );
});

/** Symbols with live bid/ask and spread; search the terminal's list to add, × to remove. */
export function MarketWatch(): ReactNode {
  const watchlist = useApp((s) => s.watchlist);
  const selected = useApp((s) => s.selectedSymbol);
  const symbolList = useApp((s) => s.symbolList);
  const controller = useController();
  const [search, setSearch] = useState('');
  const matches = useMemo(() => {
    const text = search.trim().toUpperCase();
    if (text === '') return [];
    // Symbols already listed are found too (and selected when picked): "no match" for a listed one misleads.
    return symbolList
      .filter((s) => s.name.toUpperCase().includes(text) || s.description.toUpperCase().includes(text))
      .slice(0, 8)
      .map((s) => ({ ...s, isListed: watchlist.includes(s.name) }));
  }, [search, symbolList, watchlist]);

  const select = useApp((s) => s.selectSymbol);
  const add = (name: string): void => {
    setSearch('');
    if (watchlist.includes(name)) select(name);
    else void controller.addSymbol(name);
  };

  return (
    <section className="panel market-watch" data-testid="market-watch">
      <div className="panel-head">
        <h2>Market watch</h2>
        <span className="muted small">{watchlist.length}</span>
      </div>
      <div className="search">
        <input
          type="search"
          placeholder="Add symbol…"
          value={search}
          data-testid="symbol-search"
          onChange={(e) => {
            setSearch(e.target.value);
          }}
          onKeyDown={(e) => {
            const first = matches[0];
            if (e.key === 'Enter' && first !== undefined) add(first.name);
            if (e.key === 'Escape') setSearch('');
          }}
        />
        {matches.length > 0 ? (
          <ul className="search-results" data-testid="symbol-search-results">
            {matches.map((m) => (
              <li key={m.name}>
                <button
                  type="button"
                  data-testid={`symbol-add-${m.name}`}
                  onClick={() => {
                    add(m.name);
                  }}
                >
                  <span className="sym">{m.name}</span>
                  <span className="muted small">
                    {m.isListed ? 'listed · ' : ''}
                    {m.description}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        ) : search.trim() !== '' ? (
          <div className="search-results empty muted small">No symbol matches “{search.trim()}”.</div>
        ) : null}
      </div>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Watched symbols" data-scroll-root>
        <table className="grid watch-table">
          <thead>
            <tr>
              <th>Symbol</th>
              <th className="num">Bid</th>
              <th className="num">Ask</th>
              <th className="num" title="Spread in points">
                Spr
              </th>
              <th />
            </tr>
          </thead>
          <tbody>
            {watchlist.map((symbol) => (
              <MarketRow key={symbol} symbol={symbol} isSelected={symbol === selected} />
            ))}
          </tbody>
        </table>
        {watchlist.length === 0 ? <p className="empty-note muted">Search above to add symbols.</p> : null}
      </div>
    </section>
  );
}
