import { z } from 'zod';
import { appError, err, ok, type Result } from '../result';
import { centCurrency } from './cent-currency';
import type { SymbolSpec } from './symbol-spec';

/**
 * Exchange rates as mid prices keyed by pair, base then quote currency: `{ USDJPY: 150, EURUSD: 1.085 }` means
 * 1 USD = 150 JPY and 1 EUR = 1.085 USD. Keys are the two currency codes joined (so `XAUUSD` works for gold
 * and `BTCUSD` for bitcoin). Non-positive or non-finite values are treated as absent.
 */
export const Rates = z.record(z.string().min(2).max(16), z.number().positive());
export type Rates = Readonly<Record<string, number>>;

/** How a conversion was found: same currency, a direct or inverse pair, or a cross through a third currency. */
export interface ConversionRoute {
  /** Units of `to` per unit of `from`. */
  readonly rate: number;
  readonly kind: 'same' | 'direct' | 'inverse' | 'cross' | 'cent';
  /**
   * The pairs used, e.g. `['GBPUSD', 'USDJPY']` for GBP → JPY through USD; a cent currency's fixed step shows as
   * `USC/USD`. `kind` is `cent` when that fixed step is the whole route (USD → USC).
   */
  readonly pairs: readonly string[];
}

/** The currencies a cross goes through first, in order of preference (the most liquid first). */
const PREFERRED_CROSSES = ['USD', 'EUR'] as const;

/**
 * Currencies a cross may go through: USD and EUR first, then every currency quoted against `from` in the rates
 * (so EUR → USD works from EURJPY and USDJPY alone, through JPY).
 */
function crossCandidates(from: string, rates: Rates): string[] {
  const found = new Set<string>(PREFERRED_CROSSES);
  for (const pair of Object.keys(rates)) {
    if (pair.length > from.length && pair.startsWith(from)) found.add(pair.slice(from.length));
    if (pair.length > from.length && pair.endsWith(from)) found.add(pair.slice(0, -from.length));
  }
  return [...found];
}

function usable(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value > 0;
}

/** One leg: the direct pair, or the inverse pair. */
function leg(from: string, to: string, rates: Rates): ConversionRoute | undefined {
  const direct = rates[from + to];
  if (usable(direct)) return { rate: direct, kind: 'direct', pairs: [from + to] };
  const inverse = rates[to + from];
  if (usable(inverse)) return { rate: 1 / inverse, kind: 'inverse', pairs: [to + from] };
  return undefined;
}

/**
 * Finds how to convert `from` into `to`: same currency (rate 1), the direct pair, the inverse pair, or a cross
 * through USD, then EUR, then any other currency the rates quote `from` against, each leg direct or inverse. No path is `MISSING_CONVERSION_RATE`, never a silent 1:
 * a wrong rate would size a trade wrongly by the whole rate.
 */
export function resolveConversion(from: string, to: string, rates: Rates): Result<ConversionRoute> {
  if (from === to) return ok({ rate: 1, kind: 'same', pairs: [] });
  const fromCents = centCurrency(from);
  const toCents = centCurrency(to);
  if (fromCents === undefined && toCents === undefined) return resolvePlain(from, to, rates);
  // A cent currency converts through its parent at a fixed 100:1 (cent-currency.ts): USC → EUR is USC → USD → EUR.
  const inner = resolvePlain(fromCents?.parent ?? from, toCents?.parent ?? to, rates);
  if (!inner.ok) return inner;
  const rate = (inner.value.rate / (fromCents?.perParent ?? 1)) * (toCents?.perParent ?? 1);
  const fixed = [
    fromCents === undefined ? [] : [`${from}/${fromCents.parent}`],
    toCents === undefined ? [] : [`${to}/${toCents.parent}`],
  ].flat();
  return ok({
    rate,
    kind: inner.value.kind === 'same' ? 'cent' : inner.value.kind,
    pairs: [...fixed, ...inner.value.pairs],
  });
}

function resolvePlain(from: string, to: string, rates: Rates): Result<ConversionRoute> {
  if (from === to) return ok({ rate: 1, kind: 'same', pairs: [] });
  const single = leg(from, to, rates);
  if (single !== undefined) return ok(single);
  for (const via of crossCandidates(from, rates)) {
    if (via === from || via === to) continue;
    const first = leg(from, via, rates);
    const second = leg(via, to, rates);
    if (first !== undefined && second !== undefined) {
      return ok({ rate: first.rate * second.rate, kind: 'cross', pairs: [...first.pairs, ...second.pairs] });
    }
  }
  return err(
    appError(
      'MISSING_CONVERSION_RATE',
      `No exchange rate to convert ${from} to ${to}: a ${from}${to} or ${to}${from} price is needed, or prices for both through a third currency such as USD.`,
      { from, to },
    ),
  );
}

/** Units of `to` per unit of `from` (see {@link resolveConversion}). */
export function conversionRate(from: string, to: string, rates: Rates): Result<number> {
  const route = resolveConversion(from, to, rates);
  return route.ok ? ok(route.value.rate) : route;
}

/** Converts an amount of money; not rounded (round once, at the end, with `roundMoney`). */
export function convert(amount: number, from: string, to: string, rates: Rates): Result<number> {
  const rate = conversionRate(from, to, rates);
  return rate.ok ? ok(amount * rate.value) : rate;
}

/**
 * Builds rates from symbols and their mid prices, keyed by base and profit currency, so broker suffixes
 * (`EURUSDm`, `XAUUSD.`) do not matter. Symbols whose base and profit currency are the same (most CFDs) say
 * nothing about exchange rates and are skipped.
 */
export function ratesFromSymbols(
  entries: Iterable<{
    readonly spec: Pick<SymbolSpec, 'currencyBase' | 'currencyProfit'>;
    readonly mid: number;
  }>,
): Rates {
  const rates: Record<string, number> = {};
  for (const { spec, mid } of entries) {
    if (spec.currencyBase === spec.currencyProfit || !usable(mid)) continue;
    rates[spec.currencyBase + spec.currencyProfit] = mid;
  }
  return rates;
}

/**
 * Rates with the symbol's own price added as the rate between its base and profit currencies (EURUSD at
 * 1.0850 says 1 EUR = 1.0850 USD). The price given wins over a mid in `rates`: margin converts at the order
 * price, and sizing converts at the stop-loss price, which is the exact rate when the stop is hit.
 */
export function withSymbolPrice(
  rates: Rates,
  spec: Pick<SymbolSpec, 'currencyBase' | 'currencyProfit'>,
  price: number,
): Rates {
  if (spec.currencyBase === spec.currencyProfit || !usable(price)) return rates;
  const pair = spec.currencyBase + spec.currencyProfit;
  const inverse = spec.currencyProfit + spec.currencyBase;
  // Drop an inverse entry so the direct lookup cannot be shadowed by a stale opposite quote.
  const { [inverse]: _dropped, ...rest } = rates;
  return { ...rest, [pair]: price };
}
