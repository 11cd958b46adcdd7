import type { PendingOrder, Position } from '../../../src-core/contracts/ipc';
import type { ModifyOrder, ModifyPosition } from '../../../src-core/contracts/orders';
import { normalizePrice } from '../../../src-core/trading/numbers';

/** A line of a position or order: dragging it modifies the trade through the executor. */
export type TradeLineTarget =
  | { readonly kind: 'position'; readonly ticket: string; readonly field: 'sl' | 'tp' }
  | { readonly kind: 'order'; readonly ticket: string; readonly field: 'price' | 'sl' | 'tp' };

/** A line of the position-size calculator: dragging it sets the calculator's field, nothing is sent. */
export interface CalculatorLineTarget {
  readonly kind: 'calculator';
  readonly field: 'entry' | 'sl' | 'tp';
}

/** What a line on the chart stands for, and what dragging it changes. */
export type LineTarget = TradeLineTarget | CalculatorLineTarget;

/** The colour role of a line; the view maps roles to the theme's colours. */
export type LineRole =
  'bid' | 'ask' | 'entry-buy' | 'entry-sell' | 'sl' | 'tp' | 'pending' | 'calc-entry' | 'calc-sl' | 'calc-tp';

/** One horizontal line on the chart. */
export interface ChartLine {
  /** Stable across redraws of the same thing (`sl:123`), so the view moves lines instead of recreating them. */
  readonly id: string;
  readonly price: number;
  readonly role: LineRole;
  /** The axis label, e.g. `SL #123`. */
  readonly title: string;
  /** Set for lines a drag may move (SL, TP, pending price); null for bid, ask and entries. */
  readonly target: LineTarget | null;
}

/** What the chart draws for one symbol. */
export interface LineInput {
  readonly symbol: string;
  readonly positions: readonly Position[];
  readonly orders: readonly PendingOrder[];
  readonly quote: { readonly bid: number; readonly ask: number } | undefined;
}

const ORDER_WORDS: Readonly<Record<PendingOrder['type'], string>> = {
  buy_limit: 'Buy limit',
  sell_limit: 'Sell limit',
  buy_stop: 'Buy stop',
  sell_stop: 'Sell stop',
  buy_stop_limit: 'Buy stop limit',
  sell_stop_limit: 'Sell stop limit',
};

/**
 * The lines of a symbol's chart: bid and ask, each position's entry, SL and TP, and each pending order's price,
 * SL and TP. Only SL, TP and pending prices are draggable: an entry is history, bid and ask are the market.
 */
export function chartLines(input: LineInput): ChartLine[] {
  const lines: ChartLine[] = [];
  if (input.quote !== undefined) {
    lines.push({ id: 'bid', price: input.quote.bid, role: 'bid', title: 'Bid', target: null });
    lines.push({ id: 'ask', price: input.quote.ask, role: 'ask', title: 'Ask', target: null });
  }
  for (const p of input.positions) {
    if (p.symbol !== input.symbol) continue;
    const side = p.side === 'buy' ? 'Buy' : 'Sell';
    lines.push({
      id: `entry:${p.ticket}`,
      price: p.priceOpen,
      role: p.side === 'buy' ? 'entry-buy' : 'entry-sell',
      title: `${side} ${p.volume} #${p.ticket}`,
      target: null,
    });
    if (p.sl !== null) {
      lines.push({
        id: `sl:${p.ticket}`,
        price: p.sl,
        role: 'sl',
        title: `SL #${p.ticket}`,
        target: { kind: 'position', ticket: p.ticket, field: 'sl' },
      });
    }
    if (p.tp !== null) {
      lines.push({
        id: `tp:${p.ticket}`,
        price: p.tp,
        role: 'tp',
        title: `TP #${p.ticket}`,
        target: { kind: 'position', ticket: p.ticket, field: 'tp' },
      });
    }
  }
  for (const o of input.orders) {
    if (o.symbol !== input.symbol) continue;
    lines.push({
      id: `order:${o.ticket}`,
      price: o.priceOpen,
      role: 'pending',
      title: `${ORDER_WORDS[o.type]} ${o.volume} #${o.ticket}`,
      target: { kind: 'order', ticket: o.ticket, field: 'price' },
    });
    if (o.sl !== null) {
      lines.push({
        id: `order-sl:${o.ticket}`,
        price: o.sl,
        role: 'sl',
        title: `SL #${o.ticket}`,
        target: { kind: 'order', ticket: o.ticket, field: 'sl' },
      });
    }
    if (o.tp !== null) {
      lines.push({
        id: `order-tp:${o.ticket}`,
        price: o.tp,
        role: 'tp',
        title: `TP #${o.ticket}`,
        target: { kind: 'order', ticket: o.ticket, field: 'tp' },
      });
    }
  }
  return lines;
}

/**
 * The draggable line nearest to `y` within `tolerancePx`, given each line's screen position (null when off
 * screen). Ties go to the line drawn last (on top), as the eye expects.
 */
export function lineAt(
  lines: readonly ChartLine[],
  yOf: (price: number) => number | null,
  y: number,
  tolerancePx = 6,
): ChartLine | null {
  let best: ChartLine | null = null;
  let bestDistance = tolerancePx;
  for (const line of lines) {
    if (line.target === null) continue;
    const at = yOf(line.price);
    if (at === null) continue;
    const distance = Math.abs(at - y);
    if (distance <= bestDistance) {
      best = line;
      bestDistance = distance;
    }
  }
  return best;
}

/** A modification a drag asks for, in the executor's own input shapes (the request key is added on sending). */
export type DragModification =
  | { readonly kind: 'position'; readonly price: number; readonly input: Omit<ModifyPosition, 'requestKey'> }
  | { readonly kind: 'order'; readonly price: number; readonly input: Omit<ModifyOrder, 'requestKey'> };

/**
 * The modification that moves `target` to `price` (rounded to the tick size), or null when the rounded price
 * is the current one (a click on a line, or a drag of less than a tick). Only the dragged field is sent, so
 * the executor leaves the other as it is on the trade server.
 */
export function dragModification(
  target: TradeLineTarget,
  price: number,
  tickSize: number,
  current: number,
): DragModification | null {
  const rounded = normalizePrice(price, tickSize);
  if (!(rounded > 0) || rounded === normalizePrice(current, tickSize)) return null;
  const level = { price: rounded };
  const { ticket } = target;
  if (target.kind === 'position') {
    const input = target.field === 'sl' ? { ticket, sl: level } : { ticket, tp: level };
    return { kind: 'position', price: rounded, input };
  }
  switch (target.field) {
    case 'price':
      return { kind: 'order', price: rounded, input: { ticket, price: rounded } };
    case 'sl':
      return { kind: 'order', price: rounded, input: { ticket, sl: level } };
    case 'tp':
      return { kind: 'order', price: rounded, input: { ticket, tp: level } };
  }
}

/** The confirmation's words for a drag (one-click off). */
export function describeDrag(line: ChartLine, from: number, to: number, digits: number): string {
  const target = line.target?.kind === 'calculator' ? null : line.target;
  const what = target?.field === 'price' ? 'price' : target?.field.toUpperCase();
  const ticket = target?.ticket ?? '';
  return `Move the ${what ?? 'line'} of #${ticket} from ${from.toFixed(digits)} to ${to.toFixed(digits)}.`;
}
