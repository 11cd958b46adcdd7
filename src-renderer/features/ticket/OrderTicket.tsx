import { PaperMark } from '../paper/PaperMark';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { PendingKind } from '../../../src-core/contracts/orders';
import { describeClock, type ClockZone } from '../../../src-core/time/clock-model';
import {
  formatDateTime,
  formatMoney,
  formatPips,
  formatRewardRisk,
  formatTypedVolume,
} from '../../app/format';
import type { TicketDraft } from '../../store/drafts-slice';
import {
  localTimeZone,
  useApp,
  useBusy,
  useClock,
  useController,
  usePlaceError,
  useQuote,
  useSpec,
} from '../../store/use-app';
import { InlineError, NumberField, Segmented } from '../../ui/controls';
import { ratesFromQuotes } from '../calculator/calculator-model';
import { SymbolSelect } from '../calculator/Calculator';
import { Price } from '../market-watch/MarketWatch';
import { useOrderGuard } from '../one-click/use-order-guard';
import { SplitTargets } from './SplitTargets';
import { checkTicket, checkTicketLimits } from './ticket-rules';
import { useTerminalMarginCheck } from './use-margin-check';
import '../calculator/calculator.css';
import { convertStops, PENDING_LABEL, readTicket } from './ticket-model';

const PENDING_KINDS: readonly PendingKind[] = ['buy_limit', 'sell_limit', 'buy_stop', 'sell_stop'];

/** A clock that ticks once a second, for expiration checks. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  return now;
}

/**
 * An expiration in both clocks, for the confirmation: the one it was typed in first, then the other, so the
 * trader sees exactly when MT5 will cancel the order (docs/clock-model.md).
 */
export function describeExpiration(utcMs: number, zone: ClockZone, serverOffsetSec: number): string {
  const server: ClockZone = { kind: 'server', offsetSec: serverOffsetSec };
  const local: ClockZone = { kind: 'local', timeZone: localTimeZone() };
  const [first, second] = zone.kind === 'server' ? [server, local] : [local, server];
  const show = (z: ClockZone): string => `${formatDateTime(utcMs, z)} ${describeClock(z, utcMs)}`;
  return `Expires ${show(first)} = ${show(second)}.`;
}

/**
 * The order ticket: market or pending, volume, SL/TP in pips or price, checked live against the core's order
 * rules, with the money at risk and reward:risk. Nothing typed is cleared by an error.
 */
export function OrderTicket(): ReactNode {
  const draft = useApp((s) => s.ticket);
  const setTicket = useApp((s) => s.setTicket);
  const selected = useApp((s) => s.selectedSymbol);
  const account = useApp((s) => s.account);
  const focusRequest = useApp((s) => s.ticketFocusRequest);
  const controller = useController();
  const guard = useOrderGuard();
  const error = usePlaceError('ticket');
  const isBusy = useBusy('ticket');
  const symbol = draft.symbol === '' ? (selected ?? '') : draft.symbol;
  const spec = useSpec(symbol);
  const quote = useQuote(symbol);
  const specs = useApp((s) => s.specs);
  const quotes = useApp((s) =>
    spec !== undefined && spec.currencyProfit !== account?.currency ? s.quotes : null,
  );
  const rates = useMemo(() => (quotes === null ? {} : ratesFromQuotes(specs, quotes)), [specs, quotes]);
  const now = useNow();
  const clock = useClock();
  const volumeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (focusRequest > 0) {
      volumeRef.current?.focus();
      volumeRef.current?.select();
    }
  }, [focusRequest]);
  useEffect(() => {
    if (symbol !== '') void controller.ensureSpec(symbol);
  }, [symbol, controller]);

  const ctx = {
    spec,
    quote,
    account,
    rates,
    nowMs: now,
    zone: clock.zone,
    serverOffsetSec: clock.serverOffsetSec,
  };
  const full = { ...draft, symbol };
  const limits = useApp((s) => s.settings?.riskLimits);
  const positions = useApp((s) => s.positions);
  const model = checkTicketLimits(checkTicket(readTicket(full, ctx), full, ctx), {
    limits,
    account,
    positions,
  });
  const margin = useTerminalMarginCheck(model.problems.length > 0 ? null : model.order, account);
  const isMarginShort = margin.status === 'short';
  // The terminal's margin answer, next to the send button (docs/ui.md, order ticket); the core's rules are the
  // list just above it.
  const sendReason =
    model.problems.length > 0
      ? null
      : margin.status === 'short'
        ? margin.message
        : margin.status === 'checking'
          ? 'Checking the margin with the terminal…'
          : null;
  const set = (patch: Partial<TicketDraft>): void => {
    setTicket(patch);
  };
  const digits = spec?.digits ?? 5;
  const currency = account?.currency;
  const isMarket = draft.mode === 'market';
  const actionLabel = isMarket
    ? `${model.side === 'buy' ? 'Buy' : 'Sell'} ${formatTypedVolume(model.volume, spec?.volumeStep)} ${symbol} at market`
    : `Place ${PENDING_LABEL[draft.pendingKind].toLowerCase()} ${formatTypedVolume(model.volume, spec?.volumeStep)} ${symbol}`;

  const submit = (): void => {
    const order = model.order;
    if (order === null || model.problems.length > 0 || isMarginShort) return;
    guard(
      {
        title: `${actionLabel}?`,
        lines: [
          order.kind === 'pending'
            ? `At ${order.input.price.toFixed(digits)}.`
            : `At about ${model.entry?.toFixed(digits) ?? 'market'}.`,
          model.slPrice === null
            ? 'No stop loss.'
            : `Stop loss ${model.slPrice.toFixed(digits)} (${formatPips(model.slPips)} pips), risk ${formatMoney(model.risk, currency)}.`,
          model.tpPrice === null
            ? 'No take profit.'
            : `Take profit ${model.tpPrice.toFixed(digits)} (${formatPips(model.tpPips)} pips).`,
          ...(order.kind !== 'pending'
            ? []
            : [
                model.expiration === null
                  ? 'Good till cancelled.'
                  : describeExpiration(model.expiration.utcMs, clock.zone, clock.serverOffsetSec),
              ]),
        ],
        confirmLabel: isMarket ? (model.side === 'buy' ? 'Buy' : 'Sell') : 'Place order',
        tone: model.side,
      },
      () => {
        void (order.kind === 'market'
          ? controller.openMarket('ticket', order.input)
          : controller.placePending('ticket', order.input));
      },
    );
  };

  return (
    <div className="side-body" data-testid="ticket">
      <div className="form-grid">
        <SymbolSelect
          value={symbol}
          testId="ticket-symbol"
          onChange={(s) => {
            set({ symbol: s });
          }}
        />
        <div className="field">
          <span className="field-label">Type</span>
          <Segmented
            value={draft.mode}
            testId="ticket-mode"
            options={[
              { value: 'market', label: 'Market' },
              { value: 'pending', label: 'Pending' },
            ]}
            onChange={(mode) => {
              // A pending order starts at the current price so the user adjusts rather than types it all.
              if (mode === 'pending' && draft.price === '' && quote !== undefined)
                set({
                  mode,
                  price: (draft.pendingKind.startsWith('buy') ? quote.ask : quote.bid).toFixed(digits),
                });
              else set({ mode });
            }}
          />
        </div>
      </div>
      <div className="quote-strip">
        <div className="quote-box bid">
          <span className="muted small">Bid</span>
          <Price price={quote?.bid} digits={digits} testId="ticket-bid" />
        </div>
        <div className="quote-box ask">
          <span className="muted small">Ask</span>
          <Price price={quote?.ask} digits={digits} testId="ticket-ask" />
        </div>
      </div>
      {isMarket ? (
        <div className="side-pick" role="radiogroup" aria-label="Side" data-testid="ticket-side">
          {(['sell', 'buy'] as const).map((side) => (
            <button
              key={side}
              type="button"
              role="radio"
              aria-checked={draft.side === side}
              className={`${side}${draft.side === side ? ' on' : ''}`}
              data-testid={`ticket-side-${side}`}
              onClick={() => {
                set({ side });
              }}
            >
              {side.toUpperCase()}
            </button>
          ))}
        </div>
      ) : (
        <div className="kind-pick" role="radiogroup" aria-label="Order kind" data-testid="ticket-kind">
          {PENDING_KINDS.map((kind) => (
            <button
              key={kind}
              type="button"
              role="radio"
              aria-checked={draft.pendingKind === kind}
              className={`${kind.startsWith('buy') ? 'buy' : 'sell'}${draft.pendingKind === kind ? ' on' : ''}`}
              data-testid={`ticket-kind-${kind}`}
              onClick={() => {
                set({ pendingKind: kind });
              }}
            >
              {PENDING_LABEL[kind]}
            </button>
          ))}
        </div>
      )}
      <div className="form-grid">
        <NumberField
          label="Volume"
          suffix="lots"
          value={draft.volume}
          testId="ticket-volume"
          inputRef={volumeRef}
          step={spec?.volumeStep ?? 0.01}
          onChange={(volume) => {
            set({ volume });
          }}
        />
        {isMarket ? (
          <div className="field">
            <span className="field-label">Stops in</span>
            <Segmented
              value={draft.stopUnit}
              testId="ticket-stop-unit"
              options={[
                { value: 'pips', label: 'Pips' },
                { value: 'price', label: 'Price' },
              ]}
              onChange={(stopUnit) => {
                set({ stopUnit, ...convertStops(draft, model, stopUnit, digits) });
              }}
            />
          </div>
        ) : (
          <NumberField
            label="Price"
            value={draft.price}
            testId="ticket-price"
            step={spec?.point}
            onChange={(price) => {
              set({ price });
            }}
          />
        )}
        {isMarket ? null : (
          <div className="field">
            <span className="field-label">Stops in</span>
            <Segmented
              value={draft.stopUnit}
              testId="ticket-stop-unit"
              options={[
                { value: 'pips', label: 'Pips' },
                { value: 'price', label: 'Price' },
              ]}
              onChange={(stopUnit) => {
                set({ stopUnit, ...convertStops(draft, model, stopUnit, digits) });
              }}
            />
          </div>
        )}
        {isMarket ? null : (
          <label className="field">
            <span className="field-label" data-testid="ticket-expiration-label">
              Expires ({describeClock(clock.zone, now)})
            </span>
            <input
              type="datetime-local"
              value={draft.expiration}
              data-testid="ticket-expiration"
              onChange={(e) => {
                set({ expiration: e.target.value });
              }}
              title="Empty: good till cancelled"
            />
          </label>
        )}
        <NumberField
          label="Stop loss"
          suffix={draft.stopUnit === 'pips' ? 'pips' : ''}
          placeholder="none"
          value={draft.sl}
          testId="ticket-sl"
          step={draft.stopUnit === 'pips' ? 1 : spec?.point}
          onChange={(sl) => {
            set({ sl });
          }}
        />
        <NumberField
          label="Take profit"
          suffix={draft.stopUnit === 'pips' ? 'pips' : ''}
          placeholder="none"
          value={draft.tp}
          testId="ticket-tp"
          step={draft.stopUnit === 'pips' ? 1 : spec?.point}
          onChange={(tp) => {
            set({ tp });
          }}
        />
      </div>
      <dl className="summary" data-testid="ticket-summary">
        <dt>Entry</dt>
        <dd>{model.entry === null ? '—' : model.entry.toFixed(digits)}</dd>
        <dt>Stop loss</dt>
        <dd>
          {model.slPrice === null
            ? '—'
            : `${model.slPrice.toFixed(digits)} · ${formatPips(model.slPips)} pips`}
        </dd>
        <dt>Take profit</dt>
        <dd>
          {model.tpPrice === null
            ? '—'
            : `${model.tpPrice.toFixed(digits)} · ${formatPips(model.tpPips)} pips`}
        </dd>
        <dt>Money at risk</dt>
        <dd className="neg" data-testid="ticket-risk">
          {formatMoney(model.risk, currency)}
        </dd>
        <dt>Reward</dt>
        <dd className="pos">{formatMoney(model.reward, currency)}</dd>
        <dt>Reward : risk</dt>
        <dd data-testid="ticket-rr">{formatRewardRisk(model.risk, model.reward)}</dd>
        <dt>Margin</dt>
        <dd>{formatMoney(model.margin, currency)}</dd>
      </dl>
      {model.problems.length > 0 ? (
        <ul className="rule-list inline-error" data-testid="ticket-problems">
          {model.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      <div className="send-row">
        <button
          type="button"
          className={`btn wide ${model.side}`}
          data-testid="ticket-submit"
          aria-describedby="ticket-send-reason"
          disabled={model.order === null || model.problems.length > 0 || isMarginShort || isBusy}
          onClick={submit}
        >
          <PaperMark testId="ticket-paper-mark" />
          {isBusy ? 'Sending…' : actionLabel}
        </button>
        {/* Always there, so "checking…" coming and going does not move what is below. */}
        <span
          id="ticket-send-reason"
          className={`send-reason${margin.status === 'checking' ? ' checking' : ''}`}
          data-testid="ticket-send-reason"
          data-state={model.problems.length > 0 ? 'rules' : margin.status}
          aria-live="polite"
        >
          {sendReason}
        </span>
      </div>
      <InlineError message={error} testId="ticket-error" />
      {isMarket ? (
        <SplitTargets
          order={model.order?.kind === 'market' ? model.order.input : null}
          spec={spec}
          entry={model.entry}
          problems={model.problems}
        />
      ) : null}
    </div>
  );
}
