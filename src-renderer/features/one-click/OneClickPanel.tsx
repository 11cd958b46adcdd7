import { PaperMark } from '../paper/PaperMark';
import { memo, useCallback, useRef, type ReactNode } from 'react';
import { formatTypedVolume, formatVolume, parseNumber, spreadPoints } from '../../app/format';
import { DEFAULT_ONE_CLICK, type OneClickDraft } from '../../store/drafts-slice';
import type { AppStore } from '../../store/app-store';
import type { Controller } from '../../store/controller';
import type { ConfirmRequest } from '../../store/ui-slice';
import {
  useApp,
  useAppStore,
  useBusy,
  useController,
  usePlaceError,
  useQuoteWhile,
  useSpec,
} from '../../store/use-app';
import { NumberField } from '../../ui/controls';
import { useIsNearView } from '../../ui/use-near-view';
import { Price } from '../market-watch/MarketWatch';
import { useOneClickSwitch } from './use-one-click-switch';
import { useOrderGuard } from './use-order-guard';

export const oneClickPlace = (symbol: string): string => `one-click:${symbol}`;

/** The draft of one panel, with the default volume from settings until the user types one. */
export function oneClickDraft(store: AppStore, symbol: string): OneClickDraft {
  const s = store.getState();
  return (
    s.oneClick[symbol] ?? {
      ...DEFAULT_ONE_CLICK,
      volume: s.settings === null ? DEFAULT_ONE_CLICK.volume : formatVolume(s.settings.defaultVolume),
    }
  );
}

/**
 * Sends a one-click market order for `symbol` from the panel's fields; shared by the buttons and the keyboard
 * shortcuts. Input problems are shown on the panel and nothing is sent.
 */
export function oneClickOrder(
  store: AppStore,
  controller: Controller,
  guard: (request: Omit<ConfirmRequest, 'onConfirm'>, run: () => void) => void,
  symbol: string,
  side: 'buy' | 'sell',
): void {
  const place = oneClickPlace(symbol);
  const draft = oneClickDraft(store, symbol);
  const state = store.getState();
  const volume = parseNumber(draft.volume);
  const slPips = parseNumber(draft.slPips);
  const tpPips = parseNumber(draft.tpPips);
  if (volume === null || volume <= 0) {
    state.setError(place, 'Enter a volume in lots, for example 0.10.');
    return;
  }
  if (
    (draft.slPips.trim() !== '' && (slPips === null || slPips <= 0)) ||
    (draft.tpPips.trim() !== '' && (tpPips === null || tpPips <= 0))
  ) {
    state.setError(place, 'SL and TP are distances in pips: enter a positive number or leave them empty.');
    return;
  }
  const quote = state.quotes[symbol];
  const digits = state.specs[symbol]?.digits ?? 5;
  const priceText = quote === undefined ? 'market' : (side === 'buy' ? quote.ask : quote.bid).toFixed(digits);
  guard(
    {
      title: `${side === 'buy' ? 'Buy' : 'Sell'} ${formatTypedVolume(volume, state.specs[symbol]?.volumeStep)} ${symbol}?`,
      lines: [
        `At market, about ${priceText}.`,
        slPips === null ? 'No stop loss.' : `Stop loss ${slPips} pips.`,
        tpPips === null ? 'No take profit.' : `Take profit ${tpPips} pips.`,
      ],
      confirmLabel: side === 'buy' ? 'Buy' : 'Sell',
      tone: side,
    },
    () => {
      void controller.openMarket(place, {
        symbol,
        side,
        volume,
        ...(slPips === null ? {} : { sl: { pips: slPips } }),
        ...(tpPips === null ? {} : { tp: { pips: tpPips } }),
        ...(state.settings === null ? {} : { deviation: state.settings.defaultDeviationPoints }),
      });
    },
  );
}

/** The spread in points; its own component so a tick re-renders only this text. */
const Spread = memo(function Spread(props: {
  symbol: string;
  point: number | undefined;
  isLive: boolean;
}): ReactNode {
  const quote = useQuoteWhile(props.symbol, props.isLive);
  return (
    <span className="muted small" title="Spread in points">
      {quote === undefined || props.point === undefined
        ? ''
        : `spr ${spreadPoints(quote.bid, quote.ask, props.point)}`}
    </span>
  );
});

/**
 * SELL at bid or BUY at ask. Subscribed to its symbol's quote on its own, so a tick re-renders the two price
 * buttons and not the panel's fields; not while the panel is scrolled out of sight (`isLive` false).
 */
const TradeButton = memo(function TradeButton(props: {
  symbol: string;
  side: 'buy' | 'sell';
  digits: number;
  isBusy: boolean;
  isLive: boolean;
  onSend: (side: 'buy' | 'sell') => void;
}): ReactNode {
  const { symbol, side, onSend } = props;
  const quote = useQuoteWhile(symbol, props.isLive);
  const direction = quote === undefined ? 0 : side === 'buy' ? quote.askDirection : quote.bidDirection;
  return (
    <button
      type="button"
      className={`trade-btn ${side} ${direction === -1 ? 'down' : direction === 1 ? 'up' : ''}`}
      disabled={props.isBusy || quote === undefined}
      data-testid={`${side}-${symbol}`}
      onClick={() => {
        onSend(side);
      }}
    >
      <span className="trade-label">
        <PaperMark testId={`paper-mark-${side}-${symbol}`} />
        {side === 'buy' ? 'BUY' : 'SELL'}
      </span>
      <Price
        price={side === 'buy' ? quote?.ask : quote?.bid}
        digits={props.digits}
        testId={`oneclick-${side === 'buy' ? 'ask' : 'bid'}-${symbol}`}
      />
    </button>
  );
});

/** MT5-style one-click panel: SELL at bid, volume, BUY at ask, optional SL/TP in pips. */
export const OneClickPanel = memo(function OneClickPanel(props: { symbol: string }): ReactNode {
  const { symbol } = props;
  const panelRef = useRef<HTMLDivElement | null>(null);
  const isLive = useIsNearView(panelRef);
  const spec = useSpec(symbol);
  const store = useAppStore();
  const controller = useController();
  const guard = useOrderGuard();
  const draft = useApp((s) => s.oneClick[symbol]);
  const defaultVolume = useApp((s) => s.settings?.defaultVolume);
  const isSelected = useApp((s) => s.selectedSymbol === symbol);
  const setOneClick = useApp((s) => s.setOneClick);
  const setError = useApp((s) => s.setError);
  const select = useApp((s) => s.selectSymbol);
  const place = oneClickPlace(symbol);
  // An error is about what was typed: once the trader edits the fields, it no longer applies.
  const setDraft = (sym: string, patch: Partial<OneClickDraft>): void => {
    setOneClick(sym, patch);
    setError(place, null);
  };
  const error = usePlaceError(place);
  const isBusy = useBusy(place);
  const isOneClick = useApp((s) => s.settings?.isOneClickEnabled ?? false);
  const volumeText =
    draft?.volume ?? (defaultVolume === undefined ? DEFAULT_ONE_CLICK.volume : formatVolume(defaultVolume));
  const digits = spec?.digits ?? 5;
  const step = spec?.volumeStep ?? 0.01;

  const send = useCallback(
    (side: 'buy' | 'sell') => {
      select(symbol);
      oneClickOrder(store, controller, guard, symbol, side);
    },
    [store, controller, guard, symbol, select],
  );

  return (
    <div
      ref={panelRef}
      className={`oneclick${isSelected ? ' selected' : ''}`}
      data-testid={`oneclick-${symbol}`}
      onFocus={() => {
        if (!isSelected) select(symbol);
      }}
    >
      <div className="oneclick-head">
        <span className="sym">{symbol}</span>
        <Spread symbol={symbol} point={spec?.point} isLive={isLive} />
        {isOneClick ? null : (
          <span className="badge" title="One-click is off: every order asks first">
            confirm
          </span>
        )}
      </div>
      <div className="oneclick-row">
        <TradeButton
          symbol={symbol}
          side="sell"
          digits={digits}
          isBusy={isBusy}
          isLive={isLive}
          onSend={send}
        />
        <input
          className="num oneclick-volume"
          type="text"
          inputMode="decimal"
          aria-label={`${symbol} volume in lots`}
          value={volumeText}
          data-testid={`oneclick-volume-${symbol}`}
          onChange={(e) => {
            setDraft(symbol, { volume: e.target.value });
          }}
          onKeyDown={(e) => {
            if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
            e.preventDefault();
            const current = parseNumber(volumeText) ?? 0;
            const next = Math.max(step, current + (e.key === 'ArrowUp' ? step : -step));
            setDraft(symbol, { volume: formatVolume(next, step) });
          }}
        />
        <TradeButton
          symbol={symbol}
          side="buy"
          digits={digits}
          isBusy={isBusy}
          isLive={isLive}
          onSend={send}
        />
      </div>
      <div className="oneclick-stops">
        <NumberField
          label="SL"
          suffix="pips"
          value={draft?.slPips ?? ''}
          placeholder="none"
          testId={`oneclick-sl-${symbol}`}
          onChange={(v) => {
            setDraft(symbol, { slPips: v });
          }}
        />
        <NumberField
          label="TP"
          suffix="pips"
          value={draft?.tpPips ?? ''}
          placeholder="none"
          testId={`oneclick-tp-${symbol}`}
          onChange={(v) => {
            setDraft(symbol, { tpPips: v });
          }}
        />
      </div>
      {error === undefined ? null : (
        <div className="inline-error" role="alert" data-testid={`oneclick-error-${symbol}`}>
          {error}
        </div>
      )}
    </div>
  );
});

/** A one-click panel for each watched symbol. */
export function OneClickGrid(): ReactNode {
  const watchlist = useApp((s) => s.watchlist);
  return (
    <section className="panel oneclick-grid-panel" data-testid="oneclick-grid">
      <div className="panel-head">
        <h2>One-click trading</h2>
        <OneClickToggle />
      </div>
      <div className="oneclick-grid" data-scroll-root>
        {watchlist.map((symbol) => (
          <OneClickPanel key={symbol} symbol={symbol} />
        ))}
      </div>
    </section>
  );
}

/** Switches one-click trading; off means every order asks for confirmation. */
export function OneClickToggle(): ReactNode {
  const isOn = useApp((s) => s.settings?.isOneClickEnabled ?? false);
  const switchOneClick = useOneClickSwitch('one-click-toggle');
  const error = usePlaceError('one-click-toggle');
  return (
    <label className="toggle" title="When off, every order asks for confirmation first">
      <input
        type="checkbox"
        checked={isOn}
        data-testid="oneclick-toggle"
        onChange={(e) => {
          switchOneClick(e.target.checked);
        }}
      />
      <span>One-click {isOn ? 'on' : 'off'}</span>
      {error === undefined ? null : <span className="inline-error compact">{error}</span>}
    </label>
  );
}
