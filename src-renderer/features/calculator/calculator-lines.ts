import type { Bar } from '../../../src-core/chart/bars';
import { atrBy, atrStopPrice } from '../../../src-core/chart/atr';
import { normalizePrice, pipsToPrice, priceToPips, stripFloatNoise } from '../../../src-core/trading/numbers';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import { parseNumber } from '../../app/format';
import type { CalculatorDraft } from '../../store/drafts-slice';
import type { ChartLine } from '../chart/chart-lines';

/** The calculator's entry, stop and target as prices (null where the draft does not give one). */
export interface CalculatorLevels {
  readonly entry: number | null;
  readonly sl: number | null;
  readonly tp: number | null;
}

type Quote = { readonly bid: number; readonly ask: number };

/** Reads the draft's entry (live: ask for a buy, bid for a sell), stop (pips or price) and target (pips). */
export function calculatorLevels(
  draft: CalculatorDraft,
  spec: SymbolSpec,
  quote: Quote | undefined,
): CalculatorLevels {
  const sign = draft.side === 'buy' ? 1 : -1;
  const entry =
    draft.entryMode === 'live'
      ? quote === undefined
        ? null
        : draft.side === 'buy'
          ? quote.ask
          : quote.bid
      : parseNumber(draft.entry);
  if (entry === null || !(entry > 0)) return { entry: null, sl: null, tp: null };
  const slValue = parseNumber(draft.sl);
  const sl =
    slValue === null || !(slValue > 0)
      ? null
      : draft.slUnit === 'price'
        ? slValue
        : stripFloatNoise(entry - sign * pipsToPrice(slValue, spec));
  const tpPips = parseNumber(draft.tpPips);
  const tp =
    tpPips === null || !(tpPips > 0) ? null : stripFloatNoise(entry + sign * pipsToPrice(tpPips, spec));
  return { entry, sl: sl !== null && sl > 0 ? sl : null, tp };
}

/**
 * The calculator's lines on the chart (docs/charts.md): entry, stop and target, each draggable; dragging one
 * changes the calculator's field, never an order.
 */
export function calculatorChartLines(levels: CalculatorLevels): ChartLine[] {
  const lines: ChartLine[] = [];
  const add = (field: 'entry' | 'sl' | 'tp', price: number | null, title: string): void => {
    if (price === null) return;
    lines.push({
      id: `calc-${field}`,
      price,
      role: `calc-${field}`,
      title,
      target: { kind: 'calculator', field },
    });
  };
  add('entry', levels.entry, 'Calc entry');
  add('sl', levels.sl, 'Calc SL');
  add('tp', levels.tp, 'Calc TP');
  return lines;
}

/**
 * The calculator fields a dragged line sets, at the price rounded to the tick size: the entry becomes a typed
 * entry, the stop a price, the target a distance in pips from the entry (the calculator keeps its target in
 * pips). Null when the drop makes no sense (a target on the losing side of the entry): the line goes back.
 */
export function calculatorPatchFromDrag(
  field: 'entry' | 'sl' | 'tp',
  price: number,
  draft: CalculatorDraft,
  spec: SymbolSpec,
  quote: Quote | undefined,
): Partial<CalculatorDraft> | null {
  const rounded = normalizePrice(price, spec.tickSize);
  if (!(rounded > 0)) return null;
  const text = rounded.toFixed(spec.digits);
  switch (field) {
    case 'entry':
      return { entryMode: 'typed', entry: text };
    case 'sl':
      return { slUnit: 'price', sl: text };
    case 'tp': {
      const entry = calculatorLevels(draft, spec, quote).entry;
      if (entry === null) return null;
      const pips =
        Math.round(priceToPips((draft.side === 'buy' ? 1 : -1) * (rounded - entry), spec) * 10) / 10;
      return pips > 0 ? { tpPips: String(pips) } : null;
    }
  }
}

/** An ATR stop worked out from the chart's bars, or why not, in words. */
export type AtrStopOutcome =
  | {
      readonly ok: true;
      readonly atr: number;
      readonly stop: number;
      /** Closed bars the ATR was computed from. */
      readonly bars: number;
    }
  | { readonly ok: false; readonly message: string };

/**
 * The stop `multiplier` × ATR(`period`) from the entry, on the closed bars of the chart (every bar but the
 * newest, which is still forming and would move the ATR with each tick); on the tick grid, away from the entry.
 */
export function atrStopFromBars(
  draft: CalculatorDraft,
  bars: readonly Bar[],
  entry: number,
  spec: SymbolSpec,
): AtrStopOutcome {
  const period = parseNumber(draft.atrPeriod);
  const multiplier = parseNumber(draft.atrMultiplier);
  if (period === null) return { ok: false, message: 'Enter the ATR period, e.g. 14.' };
  if (multiplier === null) return { ok: false, message: 'Enter the ATR multiplier, e.g. 1.5.' };
  const closed = bars.slice(0, -1);
  const atr = atrBy(closed, period, draft.atrSmoothing);
  if (!atr.ok) return { ok: false, message: atr.error.message };
  const stop = atrStopPrice({ side: draft.side, entry, atr: atr.value, multiplier, tickSize: spec.tickSize });
  if (!stop.ok) return { ok: false, message: stop.error.message };
  return { ok: true, atr: atr.value, stop: stop.value, bars: closed.length };
}
