import { memo, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { Position } from '../../../src-core/contracts/ipc';
import { checkModification } from '../../../src-core/trading/order-rules';
import { serverToUtcMs } from '../../../src-core/time/clock-model';
import {
  clockSuffix,
  formatPips,
  formatPrice,
  formatSignedMoney,
  formatTime,
  formatVolume,
  parseNumber,
} from '../../app/format';
import {
  useApp,
  useBusy,
  useClock,
  useController,
  usePlaceError,
  useQuote,
  useSpec,
} from '../../store/use-app';
import { useOrderGuard } from '../one-click/use-order-guard';
import { stopRuleKey } from '../../store/stop-rules-slice';
import { describeStopRule, StopRuleEditor } from '../stop-rules/StopRuleEditor';
import { closePrice, floatingTotal, liveProfit, positionPips } from './position-math';
import { pipSize } from '../../../src-core/trading/numbers';

export const positionPlace = (ticket: string): string => `position:${ticket}`;

/** Reads an SL/TP edit: empty removes the level, otherwise a positive price. */
export function parseStopEdit(text: string): { ok: true; value: number | null } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: null };
  const value = parseNumber(text);
  return value === null || value <= 0 ? { ok: false } : { ok: true, value };
}

const PositionRow = memo(function PositionRow(props: { position: Position }): ReactNode {
  const p = props.position;
  const quote = useQuote(p.symbol);
  const spec = useSpec(p.symbol);
  const currency = useApp((s) => s.account?.currency);
  const controller = useController();
  const guard = useOrderGuard();
  const clock = useClock();
  const place = positionPlace(p.ticket);
  const error = usePlaceError(place);
  const isBusy = useBusy(place);
  const setError = useApp((s) => s.setError);
  const digits = spec?.digits ?? 5;
  const step = spec?.volumeStep ?? 0.01;
  // `focus`: the field the trader double-clicked, which takes the keyboard.
  const [edit, setEdit] = useState<{ sl: string; tp: string; focus?: 'sl' | 'tp' } | null>(null);
  const [partial, setPartial] = useState<string | null>(null);
  const [isRuleOpen, setRuleOpen] = useState(false);
  const account = useApp((s) => s.bridge?.activeSessionId ?? null);
  const rule = useApp((s) => (account === null ? undefined : s.stopRules[stopRuleKey(account, p.ticket)]));
  const profit = liveProfit(p, quote, spec, currency);
  const current = quote === undefined ? p.priceCurrent : closePrice(p.side, quote);
  const pips = spec === undefined ? 0 : positionPips(p, current, pipSize(spec));
  const openTime = formatTime(serverToUtcMs(p.openTimeMs, clock.serverOffsetSec), clock.zone);

  // When an inline edit ends (saved, or left with Escape) its inputs go away with the focus they had: the button
  // that opened the edit takes it back, once it is enabled again, so a keyboard user is not thrown to the page.
  const modifyRef = useRef<HTMLButtonElement>(null);
  const partRef = useRef<HTMLButtonElement>(null);
  const returnFocusTo = useRef<'stops' | 'part' | null>(null);
  useEffect(() => {
    if (edit !== null || partial !== null) {
      returnFocusTo.current = edit !== null ? 'stops' : 'part';
      return;
    }
    const target = returnFocusTo.current === 'stops' ? modifyRef.current : partRef.current;
    if (returnFocusTo.current === null || target === null || isBusy) return;
    returnFocusTo.current = null;
    if (document.activeElement === null || document.activeElement === document.body) target.focus();
  }, [edit, partial, isBusy]);

  // The row goes with its position (closed from here, by its SL, or in MT5). A button of it that had focus would
  // drop it to the page; the table takes it instead. A layout effect's cleanup runs while the row is still there.
  const rowRef = useRef<HTMLTableRowElement>(null);
  useLayoutEffect(() => {
    const row = rowRef.current;
    return () => {
      if (row?.contains(document.activeElement) === true) row.closest<HTMLElement>('.table-scroll')?.focus();
    };
  }, []);

  const saveStops = (): void => {
    if (edit === null) return;
    const sl = parseStopEdit(edit.sl);
    const tp = parseStopEdit(edit.tp);
    if (!sl.ok || !tp.ok) {
      setError(place, 'SL and TP are prices: enter a positive price, or leave empty to remove.');
      return;
    }
    if (spec !== undefined && quote !== undefined) {
      // The core's rules first: a stop on the wrong side or inside the stops level is explained, not sent.
      const violations = checkModification({
        kind: 'position',
        spec,
        quote,
        side: p.side,
        ...(p.sl === null ? {} : { currentSl: p.sl }),
        ...(p.tp === null ? {} : { currentTp: p.tp }),
        ...(sl.value === null ? {} : { sl: sl.value }),
        ...(tp.value === null ? {} : { tp: tp.value }),
      });
      if (violations.length > 0) {
        setError(place, violations.map((v) => v.message).join(' '));
        return;
      }
    }
    void controller
      .modifyPosition(place, {
        ticket: p.ticket,
        sl: sl.value === null ? null : { price: sl.value },
        tp: tp.value === null ? null : { price: tp.value },
      })
      .then((result) => {
        if (result?.ok === true) setEdit(null);
      });
  };

  const close = (volume: number | null): void => {
    const isPartial = volume !== null && volume < p.volume;
    guard(
      {
        title: `${isPartial ? 'Partly close' : 'Close'} #${p.ticket}?`,
        lines: [
          `${p.side === 'buy' ? 'Buy' : 'Sell'} ${formatVolume(p.volume, step)} ${p.symbol}: close ${formatVolume(volume ?? p.volume, step)} lots at market.`,
          `Profit now ${formatSignedMoney(profit, currency)}.`,
        ],
        confirmLabel: 'Close',
        tone: 'neutral',
      },
      () => {
        void controller
          .closePosition(place, { ticket: p.ticket, ...(isPartial ? { volume } : {}) })
          .then((result) => {
            if (result?.ok === true) setPartial(null);
          });
      },
    );
  };

  const closePart = (): void => {
    if (partial === null) return;
    const volume = parseNumber(partial);
    if (volume === null || volume <= 0 || volume > p.volume) {
      setError(place, `Enter the lots to close, more than 0 and at most ${formatVolume(p.volume, step)}.`);
      return;
    }
    close(volume);
  };

  return (
    <>
      <tr
        ref={rowRef}
        data-testid={`position-${p.ticket}`}
        data-symbol={p.symbol}
        className={isBusy ? 'busy' : ''}
      >
        <td className="num muted wide-only">{p.ticket}</td>
        <td className="muted num xwide-only" data-testid="position-open-time">
          {openTime}
        </td>
        {/* A narrow window hides the ticket and time columns; the symbol's tooltip still says both. */}
        <td className="sym" title={`#${p.ticket} · opened ${openTime}`}>
          {p.symbol}
        </td>
        <td className={p.side === 'buy' ? 'buy-text' : 'sell-text'}>{p.side}</td>
        <td className="num" data-testid={`position-volume-${p.ticket}`}>
          {formatVolume(p.volume, step)}
        </td>
        <td className="num">{formatPrice(p.priceOpen, digits)}</td>
        {edit === null ? (
          <>
            <td
              className="num editable"
              data-testid={`position-sl-${p.ticket}`}
              onDoubleClick={() => {
                setEdit({
                  focus: 'sl',
                  sl: p.sl === null ? '' : formatPrice(p.sl, digits),
                  tp: p.tp === null ? '' : formatPrice(p.tp, digits),
                });
              }}
            >
              {p.sl === null ? '—' : formatPrice(p.sl, digits)}
            </td>
            <td
              className="num editable"
              data-testid={`position-tp-${p.ticket}`}
              onDoubleClick={() => {
                setEdit({
                  focus: 'tp',
                  sl: p.sl === null ? '' : formatPrice(p.sl, digits),
                  tp: p.tp === null ? '' : formatPrice(p.tp, digits),
                });
              }}
            >
              {p.tp === null ? '—' : formatPrice(p.tp, digits)}
            </td>
          </>
        ) : (
          <>
            <td className="stop-edit">
              <input
                className="num cell-input"
                inputMode="decimal"
                autoFocus={edit.focus !== 'tp'}
                aria-label="Stop loss price"
                placeholder="none"
                value={edit.sl}
                data-testid={`position-sl-input-${p.ticket}`}
                onChange={(e) => {
                  setEdit({ ...edit, sl: e.target.value });
                }}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') saveStops();
                  if (e.key === 'Escape') setEdit(null);
                }}
              />
            </td>
            <td className="stop-edit">
              <input
                className="num cell-input"
                inputMode="decimal"
                autoFocus={edit.focus === 'tp'}
                aria-label="Take profit price"
                placeholder="none"
                value={edit.tp}
                data-testid={`position-tp-input-${p.ticket}`}
                onChange={(e) => {
                  setEdit({ ...edit, tp: e.target.value });
                }}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') saveStops();
                  if (e.key === 'Escape') setEdit(null);
                }}
              />
            </td>
          </>
        )}
        <td className="num" data-testid={`position-price-${p.ticket}`}>
          {formatPrice(current, digits)}
        </td>
        <td
          className={`num ${pips > 0 ? 'pos' : pips < 0 ? 'neg' : ''}`}
          data-testid={`position-pips-${p.ticket}`}
        >
          {spec === undefined ? '—' : formatPips(pips)}
        </td>
        <td className="num muted wide-only">{formatSignedMoney(p.swap + p.commission)}</td>
        <td
          className={`num strong ${profit > 0 ? 'pos' : profit < 0 ? 'neg' : ''}`}
          data-testid={`position-profit-${p.ticket}`}
        >
          {formatSignedMoney(profit)}
        </td>
        <td className="actions">
          <div className="actions-row">
            {/* One edit at a time (SL/TP or a partial close): the row's buttons keep one width, so the table
                fits a 1024 px window in either state and no column moves. */}
            {partial !== null ? null : edit === null ? (
              <button
                type="button"
                ref={modifyRef}
                className="btn tiny ghost"
                data-testid={`position-modify-${p.ticket}`}
                disabled={isBusy}
                onClick={() => {
                  setEdit({
                    sl: p.sl === null ? '' : formatPrice(p.sl, digits),
                    tp: p.tp === null ? '' : formatPrice(p.tp, digits),
                  });
                }}
              >
                SL/TP
              </button>
            ) : (
              <>
                <button
                  type="button"
                  className="btn tiny accent"
                  data-testid={`position-save-${p.ticket}`}
                  disabled={isBusy}
                  onClick={saveStops}
                >
                  Save
                </button>
                <button
                  type="button"
                  className="btn tiny ghost"
                  onClick={() => {
                    setEdit(null);
                    setError(place, null);
                  }}
                >
                  Cancel
                </button>
              </>
            )}
            {edit !== null ? null : partial === null ? (
              <button
                type="button"
                ref={partRef}
                className="btn tiny ghost"
                data-testid={`position-partial-${p.ticket}`}
                disabled={isBusy}
                onClick={() => {
                  setPartial(formatVolume(Math.max(step, Math.floor(p.volume / 2 / step) * step), step));
                }}
              >
                Part
              </button>
            ) : (
              <span className="partial">
                <input
                  className="num cell-input small"
                  inputMode="decimal"
                  aria-label="Lots to close"
                  value={partial}
                  data-testid={`position-partial-volume-${p.ticket}`}
                  onChange={(e) => {
                    setPartial(e.target.value);
                  }}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') closePart();
                    if (e.key === 'Escape') setPartial(null);
                  }}
                />
                <button
                  type="button"
                  className="btn tiny warn"
                  data-testid={`position-partial-close-${p.ticket}`}
                  disabled={isBusy}
                  onClick={closePart}
                >
                  Close part
                </button>
                <button
                  type="button"
                  className="btn tiny ghost"
                  onClick={() => {
                    setPartial(null);
                    setError(place, null);
                  }}
                >
                  ×
                </button>
              </span>
            )}
            {edit !== null || partial !== null ? null : (
              <button
                type="button"
                className={`btn tiny ${rule === undefined ? 'ghost' : rule.status === 'paused' ? 'warn' : 'accent'}`}
                data-testid={`position-rule-${p.ticket}`}
                data-rule={rule?.status ?? 'none'}
                aria-expanded={isRuleOpen}
                title={
                  rule === undefined
                    ? 'Trailing stop and break-even (run in Pipdesk while it is open)'
                    : `${describeStopRule(rule.rule)}${rule.status === 'paused' ? ' (paused)' : ''}`
                }
                onClick={() => {
                  setRuleOpen(!isRuleOpen);
                }}
              >
                {rule === undefined ? 'Trail' : rule.status === 'paused' ? 'Trail ‖' : 'Trail ●'}
              </button>
            )}
            <button
              type="button"
              className="btn tiny danger"
              data-testid={`position-close-${p.ticket}`}
              disabled={isBusy}
              onClick={() => {
                close(null);
              }}
            >
              Close
            </button>
          </div>
        </td>
      </tr>
      {isRuleOpen ? (
        <StopRuleEditor
          position={p}
          rule={rule}
          onClose={() => {
            setRuleOpen(false);
          }}
        />
      ) : null}
      {error === undefined ? null : (
        <tr className="error-row">
          <td colSpan={14}>
            <div className="inline-error" role="alert" data-testid={`position-error-${p.ticket}`}>
              {error}
            </div>
          </td>
        </tr>
      )}
    </>
  );
});

/** Open positions with live profit, inline SL/TP, partial and full close, and close all. */
export function Positions(): ReactNode {
  const positions = useApp((s) => s.positions);
  const marginMode = useApp((s) => s.account?.marginMode);
  const controller = useController();
  const clock = useClock();
  const guard = useOrderGuard();
  const isLinkDown = useApp((s) => s.bridge?.state === 'disconnected' || s.transport === 'lost');
  const error = usePlaceError('close-all');
  const isBusy = useBusy('close-all');
  const currency = useApp((s) => s.account?.currency);
  // Re-renders only when the rounded total changes, not on every tick of every symbol.
  const floating = useApp((s) =>
    floatingTotal(
      s.positions,
      (symbol) => s.quotes[symbol],
      (symbol) => s.specs[symbol],
      s.account?.currency,
      s.account?.currencyDigits ?? 2,
    ),
  );
  return (
    <div className="tab-body" data-testid="positions">
      <div className="table-tools">
        <span className="muted small positions-hint">
          {marginMode === undefined
            ? 'Double-click SL or TP to edit'
            : `${marginMode === 'hedging' ? 'Hedging account: one position per deal' : 'Netting account: one position per symbol'} · double-click SL or TP to edit`}
        </span>
        <div className="spacer" />
        {positions.length === 0 || isLinkDown ? null : (
          <span className="small" data-testid="positions-floating">
            Floating P/L (swap and commission included){' '}
            <b className={floating > 0 ? 'pos' : floating < 0 ? 'neg' : ''}>
              {formatSignedMoney(floating, currency)}
            </b>
          </span>
        )}
        <button
          type="button"
          className="btn small danger"
          data-testid="close-all"
          disabled={positions.length === 0 || isBusy}
          onClick={() => {
            guard(
              {
                title: `Close all ${positions.length} positions?`,
                lines: ['Every open position is closed at market.'],
                confirmLabel: 'Close all',
                tone: 'neutral',
              },
              () => {
                void controller.closeAll('close-all', {});
              },
            );
          }}
        >
          Close all
        </button>
      </div>
      {error === undefined ? null : (
        <div className="inline-error" role="alert" data-testid="close-all-error">
          {error}
        </div>
      )}
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Open positions">
        <table className="grid positions-table">
          <thead>
            <tr>
              <th className="num wide-only">Ticket</th>
              <th className="xwide-only" data-testid="positions-time-header">
                Time ({clockSuffix(clock.zone)})
              </th>
              <th>Symbol</th>
              <th>Type</th>
              <th className="num">Volume</th>
              <th className="num">Open</th>
              <th className="num">S/L</th>
              <th className="num">T/P</th>
              <th className="num">Price</th>
              <th className="num">Pips</th>
              <th className="num wide-only">Swap+Comm</th>
              <th className="num">Profit</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {positions.map((p) => (
              <PositionRow key={p.ticket} position={p} />
            ))}
          </tbody>
        </table>
        {isLinkDown ? (
          <p className="empty-note muted" data-testid="positions-unknown">
            Positions unknown: no terminal is connected.
          </p>
        ) : positions.length === 0 ? (
          <p className="empty-note muted" data-testid="positions-empty">
            No open positions.
          </p>
        ) : null}
      </div>
    </div>
  );
}
