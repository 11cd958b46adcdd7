import type { AccountInfo } from '../../../src-core/contracts/ipc';
import type {
  OpenMarketOrder,
  PendingKind,
  PlacePendingOrder,
  StopLevel,
} from '../../../src-core/contracts/orders';
import { convert, withSymbolPrice, type Rates } from '../../../src-core/trading/conversion';
import { calculateMargin } from '../../../src-core/trading/margin';
import { pipsToPrice, priceToPips, stripFloatNoise } from '../../../src-core/trading/numbers';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import {
  parseWallTime,
  utcToServerMs,
  wallTimeToUtcMs,
  type ClockZone,
} from '../../../src-core/time/clock-model';
import { parseNumber } from '../../app/format';
import type { TicketDraft } from '../../store/drafts-slice';
import type { QuoteView } from '../../store/market-slice';

/** What the ticket knows besides the draft. */
export interface TicketContext {
  readonly spec: SymbolSpec | undefined;
  readonly quote: Pick<QuoteView, 'bid' | 'ask'> | undefined;
  readonly account: AccountInfo | null;
  readonly rates: Rates;
  /** "now" for expiration checks, UTC ms. */
  readonly nowMs: number;
  /** The clock the trader types the expiration in (Settings → time display). */
  readonly zone: ClockZone;
  /** The trade server's clock minus UTC, seconds: the expiration is sent on the server's clock. */
  readonly serverOffsetSec: number;
}

/** A typed expiration read on the trader's clock: the instant (UTC) and the same instant on the server's clock. */
export interface TicketExpiration {
  readonly utcMs: number;
  readonly serverMs: number;
}

/** The ticket read and checked: the order to send (when nothing is wrong), the problems in words, and figures. */
export interface TicketModel {
  readonly side: 'buy' | 'sell';
  /** Price the order is expected to fill at: ask/bid for market orders, the order price for pending ones. */
  readonly entry: number | null;
  readonly volume: number | null;
  readonly slPrice: number | null;
  readonly tpPrice: number | null;
  readonly slPips: number | null;
  readonly tpPips: number | null;
  /** Money lost at the stop / won at the target, account currency; null when not computable. */
  readonly risk: number | null;
  readonly reward: number | null;
  readonly margin: number | null;
  /** The pending order's expiration, when one was typed and is valid. */
  readonly expiration: TicketExpiration | null;
  /** Every reason the order cannot go out, in plain words; empty when it can. */
  readonly problems: readonly string[];
  readonly order:
    | { readonly kind: 'market'; readonly input: OpenMarketOrder }
    | { readonly kind: 'pending'; readonly input: PlacePendingOrder }
    | null;
}

export const PENDING_LABEL: Readonly<Record<PendingKind, string>> = {
  buy_limit: 'Buy limit',
  sell_limit: 'Sell limit',
  buy_stop: 'Buy stop',
  sell_stop: 'Sell stop',
};

/** Money per lot for a price move of `distance`, in the account currency, converted at `atPrice`. */
function moneyPerLot(
  spec: SymbolSpec,
  distance: number,
  accountCurrency: string,
  rates: Rates,
  atPrice: number,
): number | null {
  const ticks = stripFloatNoise(distance / spec.tickSize);
  if (spec.tickValue !== undefined) return ticks * spec.tickValue;
  const converted = convert(
    spec.tickSize * spec.contractSize,
    spec.currencyProfit,
    accountCurrency,
    withSymbolPrice(rates, spec, atPrice),
  );
  return converted.ok ? ticks * converted.value : null;
}

/**
 * Reads `datetime-local` text on the trader's chosen clock (docs/clock-model.md): the instant it names, and that
 * instant on the trade server's clock, which is what MT5 takes. Empty is good till cancelled.
 */
export function readExpiration(
  text: string,
  zone: ClockZone,
  serverOffsetSec: number,
): TicketExpiration | null | 'invalid' {
  if (text.trim() === '') return null;
  const wall = parseWallTime(text);
  if (wall === null) return 'invalid';
  const utcMs = wallTimeToUtcMs(wall, zone);
  return { utcMs, serverMs: utcToServerMs(utcMs, serverOffsetSec) };
}

/**
 * Reads the draft into an order and checks what can be checked here: parsed numbers, SL/TP on the right side,
 * volume limits, pending price against the market. The core's order rules (stops level, freeze level, trade
 * mode) are added by {@link checkTicket}; the executor checks everything again before sending.
 */
export function readTicket(draft: TicketDraft, ctx: TicketContext): TicketModel {
  const problems: string[] = [];
  const spec = ctx.spec;
  const side: 'buy' | 'sell' =
    draft.mode === 'market' ? draft.side : draft.pendingKind.startsWith('buy') ? 'buy' : 'sell';
  const sign = side === 'buy' ? 1 : -1;
  const empty: TicketModel = {
    side,
    entry: null,
    volume: null,
    slPrice: null,
    tpPrice: null,
    slPips: null,
    tpPips: null,
    risk: null,
    reward: null,
    margin: null,
    expiration: null,
    problems,
    order: null,
  };
  if (spec === undefined) {
    problems.push(draft.symbol === '' ? 'Choose a symbol.' : `Loading ${draft.symbol}…`);
    return empty;
  }
  const volume = parseNumber(draft.volume);
  if (volume === null || volume <= 0) problems.push('Enter a volume in lots.');

  let entry: number | null = null;
  if (draft.mode === 'market') {
    if (ctx.quote === undefined) problems.push(`No price for ${spec.name} yet.`);
    else entry = side === 'buy' ? ctx.quote.ask : ctx.quote.bid;
  } else {
    entry = parseNumber(draft.price);
    if (entry === null || entry <= 0) {
      problems.push('Enter the order price.');
      entry = null;
    }
  }

  const sl = draft.sl.trim() === '' ? null : parseNumber(draft.sl);
  const tp = draft.tp.trim() === '' ? null : parseNumber(draft.tp);
  const unit = draft.stopUnit === 'pips' ? 'a distance in pips' : 'a price';
  if (draft.sl.trim() !== '' && (sl === null || sl <= 0))
    problems.push(`Stop loss must be ${unit}, or empty for none.`);
  if (draft.tp.trim() !== '' && (tp === null || tp <= 0))
    problems.push(`Take profit must be ${unit}, or empty for none.`);

  let slPrice: number | null = null;
  let tpPrice: number | null = null;
  if (entry !== null) {
    if (sl !== null && sl > 0)
      slPrice = draft.stopUnit === 'pips' ? stripFloatNoise(entry - sign * pipsToPrice(sl, spec)) : sl;
    if (tp !== null && tp > 0)
      tpPrice = draft.stopUnit === 'pips' ? stripFloatNoise(entry + sign * pipsToPrice(tp, spec)) : tp;
  }
  const slPips =
    entry === null || slPrice === null
      ? null
      : Math.round(priceToPips(sign * (entry - slPrice), spec) * 10) / 10;
  const tpPips =
    entry === null || tpPrice === null
      ? null
      : Math.round(priceToPips(sign * (tpPrice - entry), spec) * 10) / 10;

  let expiration: TicketExpiration | null = null;
  if (draft.mode === 'pending') {
    const parsed = readExpiration(draft.expiration, ctx.zone, ctx.serverOffsetSec);
    if (parsed === 'invalid') problems.push('The expiration is not a valid date and time.');
    else if (parsed !== null && parsed.utcMs <= ctx.nowMs)
      problems.push('The expiration must be in the future.');
    else expiration = parsed;
  }

  let risk: number | null = null;
  let reward: number | null = null;
  let margin: number | null = null;
  const account = ctx.account;
  if (account !== null && entry !== null && volume !== null && volume > 0) {
    // A stop on the wrong side has no risk figure: the rule message explains it instead.
    if (slPrice !== null && slPips !== null && slPips > 0) {
      const perLot = moneyPerLot(spec, Math.abs(entry - slPrice), account.currency, ctx.rates, slPrice);
      risk = perLot === null ? null : Math.round(perLot * volume * 100) / 100;
    }
    if (tpPrice !== null && tpPips !== null && tpPips > 0) {
      const perLot = moneyPerLot(spec, Math.abs(tpPrice - entry), account.currency, ctx.rates, tpPrice);
      reward = perLot === null ? null : Math.round(perLot * volume * 100) / 100;
    }
    const m = calculateMargin({
      spec,
      side,
      volume,
      price: entry,
      leverage: account.leverage,
      accountCurrency: account.currency,
      rates: ctx.rates,
      currencyDigits: account.currencyDigits,
    });
    margin = m.ok ? m.value : null;
  }

  if (problems.length > 0 || volume === null || entry === null)
    return { ...empty, entry, volume, slPrice, tpPrice, slPips, tpPips, risk, reward, margin, expiration };

  const level = (value: number | null): StopLevel | undefined =>
    value === null ? undefined : draft.stopUnit === 'pips' ? { pips: value } : { price: value };
  const slLevel = level(sl);
  const tpLevel = level(tp);
  const stops = {
    ...(slLevel === undefined ? {} : { sl: slLevel }),
    ...(tpLevel === undefined ? {} : { tp: tpLevel }),
  };
  const order: TicketModel['order'] =
    draft.mode === 'market'
      ? { kind: 'market', input: { symbol: spec.name, side, volume, ...stops } }
      : {
          kind: 'pending',
          input: {
            symbol: spec.name,
            kind: draft.pendingKind,
            price: entry,
            volume,
            ...stops,
            ...(expiration === null ? {} : { expiration: expiration.serverMs }),
          },
        };
  return {
    side,
    entry,
    volume,
    slPrice,
    tpPrice,
    slPips,
    tpPips,
    risk,
    reward,
    margin,
    expiration,
    problems,
    order,
  };
}

/**
 * The typed SL/TP in the other unit, so switching Pips ↔ Price keeps what the trader meant (as the calculator
 * does): a level that cannot be read yet (no price, bad text) stays as typed rather than being blanked.
 */
export function convertStops(
  draft: Pick<TicketDraft, 'sl' | 'tp' | 'stopUnit'>,
  model: Pick<TicketModel, 'slPrice' | 'tpPrice' | 'slPips' | 'tpPips'>,
  to: TicketDraft['stopUnit'],
  digits: number,
): { sl: string; tp: string } {
  if (draft.stopUnit === to) return { sl: draft.sl, tp: draft.tp };
  const one = (typed: string, price: number | null, pips: number | null): string => {
    if (typed.trim() === '') return '';
    if (to === 'price') return price === null ? typed : price.toFixed(digits);
    return pips === null ? typed : String(pips);
  };
  return { sl: one(draft.sl, model.slPrice, model.slPips), tp: one(draft.tp, model.tpPrice, model.tpPips) };
}
