import { memo, useState, type ReactNode } from 'react';
import type { PendingOrder } from '../../../src-core/contracts/ipc';
import { checkModification } from '../../../src-core/trading/order-rules';
import { serverToUtcMs } from '../../../src-core/time/clock-model';
import {
  clockSuffix,
  formatDateTime,
  formatPrice,
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
import { parseStopEdit } from './Positions';

export const orderPlace = (ticket: string): string => `order:${ticket}`;

const TYPE_LABEL: Readonly<Record<PendingOrder['type'], string>> = {
  buy_limit: 'buy limit',
  sell_limit: 'sell limit',
  buy_stop: 'buy stop',
  sell_stop: 'sell stop',
  buy_stop_limit: 'buy stop limit',
  sell_stop_limit: 'sell stop limit',
};

interface OrderEdit {
  readonly price: string;
  readonly sl: string;
  readonly tp: string;
}

const OrderRow = memo(function OrderRow(props: { order: PendingOrder }): ReactNode {
  const o = props.order;
  const quote = useQuote(o.symbol);
  const spec = useSpec(o.symbol);
  const controller = useController();
  const clock = useClock();
  const guard = useOrderGuard();
  const place = orderPlace(o.ticket);
  const error = usePlaceError(place);
  const isBusy = useBusy(place);
  const setError = useApp((s) => s.setError);
  const [edit, setEdit] = useState<OrderEdit | null>(null);
  const digits = spec?.digits ?? 5;
  const isBuy = o.type.startsWith('buy');
  const market = quote === undefined ? null : isBuy ? quote.ask : quote.bid;

  const startEdit = (): void => {
    setEdit({
      price: formatPrice(o.priceOpen, digits),
      sl: o.sl === null ? '' : formatPrice(o.sl, digits),
      tp: o.tp === null ? '' : formatPrice(o.tp, digits),
    });
  };

  const save = (): void => {
    if (edit === null) return;
    const price = parseNumber(edit.price);
    const sl = parseStopEdit(edit.sl);
    const tp = parseStopEdit(edit.tp);
    if (price === null || price <= 0) {
      setError(place, 'Enter the order price.');
      return;
    }
    if (!sl.ok || !tp.ok) {
      setError(place, 'SL and TP are prices: enter a positive price, or leave empty to remove.');
      return;
    }
    if (spec !== undefined && quote !== undefined) {
      const violations = checkModification({
        kind: 'order',
        spec,
        quote,
        type: o.type,
        currentPrice: o.priceOpen,
        ...(o.sl === null ? {} : { currentSl: o.sl }),
        ...(o.tp === null ? {} : { currentTp: o.tp }),
        price,
        ...(sl.value === null ? {} : { sl: sl.value }),
        ...(tp.value === null ? {} : { tp: tp.value }),
      });
      if (violations.length > 0) {
        setError(place, violations.map((v) => v.message).join(' '));
        return;
      }
    }
    void controller
      .modifyOrder(place, {
        ticket: o.ticket,
        price,
        sl: sl.value === null ? null : { price: sl.value },
        tp: tp.value === null ? null : { price: tp.value },
      })
      .then((result) => {
        if (result?.ok === true) setEdit(null);
      });
  };

  const cell = (field: keyof OrderEdit, label: string): ReactNode =>
    edit === null ? null : (
      <td>
        <input
          className="num cell-input"
          inputMode="decimal"
          aria-label={label}
          placeholder="none"
          value={edit[field]}
          data-testid={`order-${field}-input-${o.ticket}`}
          onChange={(e) => {
            setEdit({ ...edit, [field]: e.target.value });
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') save();
            if (e.key === 'Escape') setEdit(null);
          }}
        />
      </td>
    );
  const placedTime = formatTime(serverToUtcMs(o.setupTimeMs, clock.serverOffsetSec), clock.zone);

  return (
    <>
      <tr data-testid={`order-${o.ticket}`} data-symbol={o.symbol} className={isBusy ? 'busy' : ''}>
        <td className="num muted">{o.ticket}</td>
        <td className="num muted wide-only">{placedTime}</td>
        {/* A narrow window hides the time column; the symbol's tooltip still says it. */}
        <td className="sym" title={`#${o.ticket} · placed ${placedTime}`}>
          {o.symbol}
        </td>
        <td className={isBuy ? 'buy-text' : 'sell-text'}>{TYPE_LABEL[o.type]}</td>
        <td className="num">{formatVolume(o.volume, spec?.volumeStep)}</td>
        {edit === null ? (
          <>
            <td className="num" data-testid={`order-price-${o.ticket}`}>
              {formatPrice(o.priceOpen, digits)}
            </td>
            <td className="num" data-testid={`order-sl-${o.ticket}`}>
              {o.sl === null ? '—' : formatPrice(o.sl, digits)}
            </td>
            <td className="num" data-testid={`order-tp-${o.ticket}`}>
              {o.tp === null ? '—' : formatPrice(o.tp, digits)}
            </td>
          </>
        ) : (
          <>
            {cell('price', 'Order price')}
            {cell('sl', 'Stop loss price')}
            {cell('tp', 'Take profit price')}
          </>
        )}
        <td className="num">{formatPrice(market, digits)}</td>
        <td className="muted">
          {o.expirationMs === null
            ? 'GTC'
            : formatDateTime(serverToUtcMs(o.expirationMs, clock.serverOffsetSec), clock.zone)}
        </td>
        <td className="actions">
          <div className="actions-row">
            {edit === null ? (
              <button
                type="button"
                className="btn tiny ghost"
                data-testid={`order-modify-${o.ticket}`}
                disabled={isBusy}
                onClick={startEdit}
              >
                Modify
              </button>
            ) : (
              <>
                <button
                  type="button"
                  className="btn tiny accent"
                  data-testid={`order-save-${o.ticket}`}
                  disabled={isBusy}
                  onClick={save}
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
            <button
              type="button"
              className="btn tiny danger"
              data-testid={`order-cancel-${o.ticket}`}
              disabled={isBusy}
              onClick={() => {
                guard(
                  {
                    title: `Delete order #${o.ticket}?`,
                    lines: [
                      `${TYPE_LABEL[o.type]} ${formatVolume(o.volume)} ${o.symbol} at ${formatPrice(o.priceOpen, digits)}.`,
                    ],
                    confirmLabel: 'Delete order',
                    tone: 'neutral',
                  },
                  () => {
                    void controller.cancelOrder(place, { ticket: o.ticket });
                  },
                );
              }}
            >
              Delete
            </button>
          </div>
        </td>
      </tr>
      {error === undefined ? null : (
        <tr className="error-row">
          <td colSpan={11}>
            <div className="inline-error" role="alert" data-testid={`order-error-${o.ticket}`}>
              {error}
            </div>
          </td>
        </tr>
      )}
    </>
  );
});

/** Pending orders with modify and delete. */
export function PendingOrders(): ReactNode {
  const orders = useApp((s) => s.pendingOrders);
  const clock = useClock();
  return (
    <div className="tab-body" data-testid="pending-orders">
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Pending orders">
        <table className="grid">
          <thead>
            <tr>
              <th className="num">Ticket</th>
              <th className="wide-only">Time ({clockSuffix(clock.zone)})</th>
              <th>Symbol</th>
              <th>Type</th>
              <th className="num">Volume</th>
              <th className="num">Price</th>
              <th className="num">S/L</th>
              <th className="num">T/P</th>
              <th className="num">Market</th>
              <th data-testid="orders-expires-header">Expires ({clockSuffix(clock.zone)})</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => (
              <OrderRow key={o.ticket} order={o} />
            ))}
          </tbody>
        </table>
        {orders.length === 0 ? (
          <p className="empty-note muted" data-testid="orders-empty">
            No pending orders.
          </p>
        ) : null}
      </div>
    </div>
  );
}
