import type { AccountInfo } from '../../../src-core/contracts/ipc';
import type { PendingKind } from '../../../src-core/contracts/orders';
import { ratesFromSymbols, type Rates } from '../../../src-core/trading/conversion';
import { calculatePositionSize, type PositionSize, type SizingFlag } from '../../../src-core/trading/sizing';
import { pipsToPrice } from '../../../src-core/trading/numbers';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import { formatVolume, parseNumber } from '../../app/format';
import type { CalculatorDraft, TicketDraft } from '../../store/drafts-slice';
import type { QuoteView } from '../../store/market-slice';

/** Mid prices of every quote on screen as conversion rates (USDJPY, EURUSD…), keyed by currencies. */
export function ratesFromQuotes(
  specs: Readonly<Record<string, SymbolSpec>>,
  quotes: Readonly<Record<string, QuoteView>>,
): Rates {
  const entries: { spec: SymbolSpec; mid: number }[] = [];
  for (const [symbol, quote] of Object.entries(quotes)) {
    const spec = specs[symbol];
    if (spec !== undefined) entries.push({ spec, mid: (quote.bid + quote.ask) / 2 });
  }
  return ratesFromSymbols(entries);
}

export interface SizingContext {
  readonly spec: SymbolSpec | undefined;
  readonly quote: Pick<QuoteView, 'bid' | 'ask'> | undefined;
  readonly account: AccountInfo | null;
  readonly rates: Rates;
  /** The executor's max lot size, so the calculator never suggests what would be refused. */
  readonly maxLotSize: number | undefined;
}

export type SizingOutcome =
  | { readonly ok: true; readonly size: PositionSize; readonly entry: number; readonly side: 'buy' | 'sell' }
  | { readonly ok: false; readonly message: string; readonly code: string };

/** Runs the core's position sizing on what the user typed; every problem comes back in words. */
export function sizeFromDraft(draft: CalculatorDraft, ctx: SizingContext): SizingOutcome {
  const fail = (code: string, message: string): SizingOutcome => ({ ok: false, code, message });
  if (ctx.spec === undefined) return fail('NO_SYMBOL', 'Choose a symbol.');
  if (ctx.account === null)
    return fail('NOT_CONNECTED', 'Connect MT5 or start the demo to size by your account.');
  const risk = parseNumber(draft.risk);
  if (risk === null)
    return fail(
      'INVALID_RISK',
      draft.riskMode === 'percent' ? 'Enter the risk in percent.' : 'Enter the money to risk.',
    );
  let entry: number | null;
  if (draft.entryMode === 'live') {
    if (ctx.quote === undefined) return fail('NO_QUOTE', `No live price for ${ctx.spec.name} yet.`);
    entry = draft.side === 'buy' ? ctx.quote.ask : ctx.quote.bid;
  } else {
    entry = parseNumber(draft.entry);
    if (entry === null) return fail('INVALID_PRICE', 'Enter the entry price.');
  }
  const sl = parseNumber(draft.sl);
  if (sl === null)
    return fail(
      'INVALID_STOP_LOSS',
      draft.slUnit === 'pips' ? 'Enter the stop loss in pips.' : 'Enter the stop loss price.',
    );
  const commission = draft.commission.trim() === '' ? 0 : parseNumber(draft.commission);
  if (commission === null)
    return fail('INVALID_COMMISSION', 'Commission is money per lot per side, e.g. 3.5.');
  const result = calculatePositionSize({
    accountCurrency: ctx.account.currency,
    baseAmount: draft.baseOn === 'equity' ? ctx.account.equity : ctx.account.balance,
    baseKind: draft.baseOn,
    risk: { mode: draft.riskMode, value: risk },
    side: draft.side,
    entryPrice: entry,
    stopLoss: { mode: draft.slUnit, value: sl },
    commissionPerLot: commission,
    ...(ctx.maxLotSize === undefined ? {} : { maxLotSize: ctx.maxLotSize }),
    leverage: ctx.account.leverage,
    currencyDigits: ctx.account.currencyDigits,
    spec: ctx.spec,
    rates: ctx.rates,
  });
  if (!result.ok) {
    const from = result.error.details?.['from'];
    const to = result.error.details?.['to'];
    const message =
      result.error.code === 'MISSING_CONVERSION_RATE' && typeof from === 'string' && typeof to === 'string'
        ? `${result.error.message} Add ${from}${to} (or ${to}${from}) to the market watch.`
        : result.error.message;
    return fail(result.error.code, message);
  }
  return { ok: true, size: result.value, entry, side: draft.side };
}

/** The sizing flags in words. */
export function flagText(flag: SizingFlag, spec: SymbolSpec, maxLotSize: number | undefined): string {
  switch (flag) {
    case 'CAPPED_AT_MAX_LOT': {
      const cap = Math.min(spec.volumeMax, maxLotSize ?? Number.POSITIVE_INFINITY);
      const why =
        maxLotSize !== undefined && maxLotSize < spec.volumeMax
          ? 'your max lot size'
          : `${spec.name}'s maximum volume`;
      return `Capped at ${formatVolume(cap, spec.volumeStep)} lots (${why}): the risk would allow more.`;
    }
    case 'BELOW_MIN_LOT':
      return `Below the minimum lot (${formatVolume(spec.volumeMin, spec.volumeStep)}): the risk is too small for this stop, so the size is 0. Risk more or use a closer stop.`;
  }
}

/** Which pending kind puts an order at `entry` for `side` given the market (limit: better price, stop: worse). */
export function pendingKindFor(
  side: 'buy' | 'sell',
  entry: number,
  quote: Pick<QuoteView, 'bid' | 'ask'>,
): PendingKind {
  if (side === 'buy') return entry < quote.ask ? 'buy_limit' : 'buy_stop';
  return entry > quote.bid ? 'sell_limit' : 'sell_stop';
}

/**
 * The ticket fields that "Use in ticket" fills: the symbol, the calculated lots, the stop as entered (pips or
 * price), the take profit when given; a typed entry away from the market becomes a pending order at that price.
 */
export function ticketPatchFromSizing(
  draft: CalculatorDraft,
  outcome: Extract<SizingOutcome, { ok: true }>,
  spec: SymbolSpec,
  quote: Pick<QuoteView, 'bid' | 'ask'> | undefined,
): Partial<TicketDraft> {
  const base: Partial<TicketDraft> = {
    symbol: spec.name,
    side: outcome.side,
    volume: formatVolume(outcome.size.lotSize, spec.volumeStep),
  };
  const tpPips = parseNumber(draft.tpPips);
  const isPending = draft.entryMode === 'typed' && quote !== undefined;
  // A market order's fill price is not known yet, so its stop goes by distance; a pending order knows its price.
  const stops: Partial<TicketDraft> =
    draft.slUnit === 'pips' || !isPending
      ? {
          stopUnit: 'pips',
          sl: String(outcome.size.stopLossPips),
          tp: tpPips === null ? '' : String(tpPips),
        }
      : {
          stopUnit: 'price',
          sl: outcome.size.stopLossPrice.toFixed(spec.digits),
          tp:
            tpPips === null
              ? ''
              : (outcome.entry + (outcome.side === 'buy' ? 1 : -1) * pipsToPrice(tpPips, spec)).toFixed(
                  spec.digits,
                ),
        };
  if (isPending) {
    return {
      ...base,
      ...stops,
      mode: 'pending',
      pendingKind: pendingKindFor(outcome.side, outcome.entry, quote),
      price: outcome.entry.toFixed(spec.digits),
    };
  }
  return { ...base, ...stops, mode: 'market' };
}
