import { useEffect, useMemo, type ReactNode } from 'react';
import { formatMoney, formatPips, formatVolume, parseNumber } from '../../app/format';
import type { CalculatorDraft } from '../../store/drafts-slice';
import { useApp, useController, useQuote, useSpec } from '../../store/use-app';
import { NumberField, Segmented } from '../../ui/controls';
import { Price } from '../market-watch/MarketWatch';
import { AccountChecksView, AccountWarnings } from './AccountChecksView';
import { AtrStopField } from './AtrStopField';
import { checkAgainstAccount, switchRiskMode } from './calculator-checks';
import { flagText, ratesFromQuotes, sizeFromDraft, ticketPatchFromSizing } from './calculator-model';
import type { ChartPick } from '../../store/ui-slice';
import './calculator.css';

const PICKS: readonly { readonly field: ChartPick; readonly label: string }[] = [
  { field: 'entry', label: 'Entry' },
  { field: 'sl', label: 'SL' },
  { field: 'tp', label: 'TP' },
];

/**
 * Pick a level on the chart: the pressed field takes the price of the next click on the chart, rounded to the
 * symbol's tick size (docs/charts.md). Buttons, so Tab and Space or Enter reach them; Escape or a second press ends
 * picking without a change.
 */
function PickOnChart(): ReactNode {
  const pick = useApp((s) => s.chartPick);
  const setPick = useApp((s) => s.setChartPick);
  // Picking ends when the calculator is left, so a later chart click does not set a hidden field.
  useEffect(
    () => () => {
      setPick(null);
    },
    [setPick],
  );
  return (
    <div className="field span-2">
      <span className="field-label" id="calc-pick-label">
        Pick on chart
      </span>
      <div className="segmented" role="group" aria-labelledby="calc-pick-label">
        {PICKS.map(({ field, label }) => (
          <button
            key={field}
            type="button"
            className={pick === field ? 'on' : ''}
            aria-pressed={pick === field}
            data-testid={`calc-pick-${field}`}
            title={`Click the chart to set ${label}`}
            onClick={() => {
              setPick(pick === field ? null : field);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && pick !== null) {
                e.stopPropagation();
                setPick(null);
              }
            }}
          >
            {label}
          </button>
        ))}
      </div>
      {pick === null ? null : (
        <span className="muted small" role="status" data-testid="calc-pick-hint">
          Click the chart to set {PICKS.find((p) => p.field === pick)?.label}; Esc to stop.
        </span>
      )}
    </div>
  );
}

/** Symbols to choose from: the watchlist first, then everything the terminal offers. */
export function SymbolSelect(props: {
  value: string;
  onChange: (symbol: string) => void;
  testId: string;
}): ReactNode {
  const watchlist = useApp((s) => s.watchlist);
  const all = useApp((s) => s.symbolList);
  const others = all.filter((s) => !watchlist.includes(s.name));
  return (
    <label className="field">
      <span className="field-label">Symbol</span>
      <select
        value={props.value}
        data-testid={props.testId}
        onChange={(e) => {
          props.onChange(e.target.value);
        }}
      >
        {props.value === '' ? <option value="">Choose…</option> : null}
        <optgroup label="Market watch">
          {watchlist.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </optgroup>
        {others.length > 0 ? (
          <optgroup label="All symbols">
            {others.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </optgroup>
        ) : null}
      </select>
    </label>
  );
}

/**
 * Position size by risk, as the EarnForex Position Sizer does it: risk a percent of balance or equity (or a sum
 * of money) with the stop where it belongs, and get the lots. Computed by the same core function as the cloud.
 */
export function Calculator(): ReactNode {
  const draft = useApp((s) => s.calculator);
  const setDraft = useApp((s) => s.setCalculator);
  const setTicket = useApp((s) => s.setTicket);
  const requestTicketFocus = useApp((s) => s.requestTicketFocus);
  const selected = useApp((s) => s.selectedSymbol);
  const account = useApp((s) => s.account);
  const limits = useApp((s) => s.settings?.riskLimits);
  const maxLotSize = limits?.maxLotSize;
  const positions = useApp((s) => s.positions);
  const controller = useController();
  const symbol = draft.symbol === '' ? (selected ?? '') : draft.symbol;
  const spec = useSpec(symbol);
  const quote = useQuote(symbol);
  // Rates only change the figure for cross-currency symbols; re-reading them on every tick is cheap enough.
  const specs = useApp((s) => s.specs);
  // Open positions need rates too: the portfolio's risk converts each position's loss.
  const quotes = useApp((s) =>
    draft.entryMode === 'live' ||
    s.positions.length > 0 ||
    (spec !== undefined && spec.currencyProfit !== account?.currency)
      ? s.quotes
      : null,
  );
  const rates = useMemo(() => (quotes === null ? {} : ratesFromQuotes(specs, quotes)), [specs, quotes]);

  useEffect(() => {
    if (symbol !== '') void controller.ensureSpec(symbol);
  }, [symbol, controller]);

  const outcome = sizeFromDraft({ ...draft, symbol }, { spec, quote, account, rates, maxLotSize });
  const checks =
    outcome.ok && account !== null && spec !== undefined
      ? checkAgainstAccount({ ...draft, symbol }, outcome, {
          spec,
          quote,
          account,
          rates,
          limits,
          positions,
          specs,
        })
      : null;
  const blocking = checks?.warnings.find((w) => w.isBlocking);
  const set = (patch: Partial<CalculatorDraft>): void => {
    setDraft(patch);
  };
  const currency = account?.currency;

  return (
    <div className="side-body" data-testid="calculator">
      <div className="form-grid">
        <SymbolSelect
          value={symbol}
          testId="calc-symbol"
          onChange={(s) => {
            set({ symbol: s });
          }}
        />
        <div className="field">
          <span className="field-label">Direction</span>
          <Segmented
            value={draft.side}
            testId="calc-side"
            options={[
              { value: 'buy', label: 'Buy' },
              { value: 'sell', label: 'Sell' },
            ]}
            onChange={(side) => {
              set({ side });
            }}
          />
        </div>
      </div>
      <div className="quote-strip">
        <div className="quote-box bid">
          <span className="muted small">Bid</span>
          <Price price={quote?.bid} digits={spec?.digits ?? 5} />
        </div>
        <div className="quote-box ask">
          <span className="muted small">Ask</span>
          <Price price={quote?.ask} digits={spec?.digits ?? 5} />
        </div>
      </div>
      <div className="row">
        <span className="field-label">Risk of</span>
        <Segmented
          value={draft.baseOn}
          testId="calc-base"
          options={[
            { value: 'balance', label: 'Balance' },
            { value: 'equity', label: 'Equity' },
          ]}
          onChange={(baseOn) => {
            set({ baseOn });
          }}
        />
        <span className="muted small num">
          {account === null
            ? ''
            : formatMoney(draft.baseOn === 'equity' ? account.equity : account.balance, currency)}
        </span>
      </div>
      <div className="form-grid">
        <div className="field">
          <span className="field-label">Risk as</span>
          <Segmented
            value={draft.riskMode}
            testId="calc-risk-mode"
            options={[
              { value: 'percent', label: '%' },
              { value: 'money', label: currency ?? 'Money' },
            ]}
            onChange={(riskMode) => {
              set(switchRiskMode(draft, riskMode, account));
            }}
          />
        </div>
        <NumberField
          label="Risk"
          suffix={draft.riskMode === 'percent' ? '%' : (currency ?? '')}
          value={draft.risk}
          testId="calc-risk"
          step={draft.riskMode === 'percent' ? 0.25 : 10}
          onChange={(risk) => {
            set({ risk });
          }}
        />
        <div className="field">
          <span className="field-label">Entry</span>
          <Segmented
            value={draft.entryMode}
            testId="calc-entry-mode"
            options={[
              { value: 'live', label: 'Live' },
              { value: 'typed', label: 'Typed' },
            ]}
            onChange={(entryMode) => {
              // Typing starts from the live price so the user edits a realistic number.
              if (entryMode === 'typed' && draft.entry === '' && quote !== undefined && spec !== undefined) {
                set({
                  entryMode,
                  entry: (draft.side === 'buy' ? quote.ask : quote.bid).toFixed(spec.digits),
                });
              } else set({ entryMode });
            }}
          />
        </div>
        <NumberField
          label="Entry price"
          value={
            draft.entryMode === 'live'
              ? quote === undefined || spec === undefined
                ? ''
                : (draft.side === 'buy' ? quote.ask : quote.bid).toFixed(spec.digits)
              : draft.entry
          }
          disabled={draft.entryMode === 'live'}
          testId="calc-entry"
          onChange={(entry) => {
            set({ entry });
          }}
        />
        <div className="field">
          <span className="field-label">Stop loss in</span>
          <Segmented
            value={draft.slUnit}
            testId="calc-sl-unit"
            options={[
              { value: 'pips', label: 'Pips' },
              { value: 'price', label: 'Price' },
            ]}
            onChange={(slUnit) => {
              set({
                slUnit,
                sl:
                  slUnit === 'price' && outcome.ok && spec !== undefined
                    ? outcome.size.stopLossPrice.toFixed(spec.digits)
                    : slUnit === 'pips' && outcome.ok
                      ? String(outcome.size.stopLossPips)
                      : draft.sl,
              });
            }}
          />
        </div>
        <NumberField
          label="Stop loss"
          suffix={draft.slUnit === 'pips' ? 'pips' : ''}
          value={draft.sl}
          testId="calc-sl"
          invalid={!outcome.ok && outcome.code.includes('STOP')}
          onChange={(sl) => {
            set({ sl });
          }}
        />
        <div className="span-2">
          <AtrStopField
            draft={draft}
            symbol={symbol}
            spec={spec}
            entry={
              draft.entryMode === 'live'
                ? quote === undefined
                  ? null
                  : draft.side === 'buy'
                    ? quote.ask
                    : quote.bid
                : parseNumber(draft.entry)
            }
            onChange={set}
          />
        </div>
        <NumberField
          label="Take profit"
          suffix="pips"
          placeholder="optional"
          value={draft.tpPips}
          testId="calc-tp"
          onChange={(tpPips) => {
            set({ tpPips });
          }}
        />
        <PickOnChart />
        <NumberField
          label="Commission"
          suffix="/lot/side"
          value={draft.commission}
          testId="calc-commission"
          onChange={(commission) => {
            set({ commission });
          }}
        />
      </div>

      {outcome.ok ? (
        <>
          <dl className="summary" data-testid="calc-result">
            <dt>Position size</dt>
            <dd className="big" data-testid="calc-lots">
              {formatVolume(outcome.size.lotSize, spec?.volumeStep)} lots
            </dd>
            <dt>Risk</dt>
            <dd data-testid="calc-risk-amount">{formatMoney(outcome.size.riskAmount, currency)}</dd>
            <dt>Actual risk (after rounding)</dt>
            <dd data-testid="calc-actual-risk">{formatMoney(outcome.size.actualRiskAmount, currency)}</dd>
            <dt>Stop loss</dt>
            <dd>
              {formatPips(outcome.size.stopLossPips)} pips ·{' '}
              {outcome.size.stopLossPrice.toFixed(spec?.digits ?? 5)}
            </dd>
            <dt>Pip value (1 lot)</dt>
            <dd>{formatMoney(outcome.size.pipValuePerLot, currency)}</dd>
            <dt>Margin</dt>
            <dd data-testid="calc-margin">{formatMoney(outcome.size.marginRequired, currency)}</dd>
            {checks !== null && account !== null ? (
              <AccountChecksView
                checks={checks}
                currency={account.currency}
                equity={account.equity}
                volumeStep={spec?.volumeStep ?? 0.01}
              />
            ) : null}
          </dl>
          {outcome.size.flags.length > 0 && spec !== undefined ? (
            <div className="flags" data-testid="calc-flags">
              {outcome.size.flags.map((f) => (
                <div key={f} className="flag" data-testid={`calc-flag-${f}`}>
                  {flagText(f, spec, maxLotSize)}
                </div>
              ))}
            </div>
          ) : null}
          {checks === null ? null : <AccountWarnings checks={checks} />}
        </>
      ) : (
        <div className="inline-error" role="alert" data-testid="calc-error">
          {outcome.message}
        </div>
      )}
      {/* Stays in view at the bottom of the panel, so the size and the button show at any window height. */}
      <div className="send-row calc-foot">
        <span className="muted small num" data-testid="calc-foot-summary">
          {outcome.ok
            ? `${formatVolume(outcome.size.lotSize, spec?.volumeStep)} lots · risk ${formatMoney(outcome.size.actualRiskAmount, currency)}`
            : ''}
        </span>
        <button
          type="button"
          className="btn accent wide"
          data-testid="calc-use"
          aria-describedby={blocking === undefined ? undefined : 'calc-use-reason'}
          disabled={!outcome.ok || outcome.size.lotSize <= 0 || spec === undefined || blocking !== undefined}
          onClick={() => {
            if (!outcome.ok || spec === undefined || blocking !== undefined) return;
            setTicket(ticketPatchFromSizing({ ...draft, symbol }, outcome, spec, quote));
            requestTicketFocus();
          }}
        >
          Use in ticket
        </button>
        {blocking === undefined ? null : (
          <span id="calc-use-reason" className="send-reason" data-testid="calc-use-reason">
            {blocking.title}
          </span>
        )}
      </div>
    </div>
  );
}
