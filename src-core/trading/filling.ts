import { missingCaseError } from '../result';
import { SYMBOL_FILLING_FLAG, type FillingMode, type SymbolSpec } from './symbol-spec';

/**
 * What the filling rules need to know of an order's type: a deal now (BUY/SELL, closes included), a limit or
 * stop-limit order (the only ones that may rest with RETURN on Market execution, or use BOC), or a stop order.
 */
export type OrderKind = 'market' | 'limit' | 'stop';

/** The kind of an MT5 order type name as it crosses the pipe (`BUY`, `SELL_LIMIT`, `BUY_STOP_LIMIT`, …). */
export function orderKindOf(orderType: string): OrderKind {
  if (orderType === 'BUY' || orderType === 'SELL') return 'market';
  return orderType.endsWith('_LIMIT') ? 'limit' : 'stop';
}

/** At most this many candidates: the first send and one retry after 10030, as the EA does. */
const MAX_CANDIDATES = 2;

/**
 * The filling modes to try, in order, exactly as the EA chooses them (`PdFillingCandidates`; the rules and where
 * they come from are in docs/mql5-functions.md, "Filling"): send with the first, and after retcode 10030 (nothing
 * executed) retry once with the second.
 * - Request/Instant execution: FOK only (the dealer fills all or requotes).
 * - Exchange execution: limit and stop orders RETURN; market orders FOK and IOC as the symbol's flags allow, then
 *   RETURN.
 * - Market execution: FOK and IOC as the flags allow, never RETURN for a market or stop order (the fill policy
 *   keeps RETURN for Exchange execution there); limit and stop-limit orders try RETURN first.
 * - Never BOC: only the app asks for it, on a limit order, by naming the filling itself.
 * Empty when a Market-execution symbol allows neither FOK nor IOC: the EA then answers 10030 without sending, as
 * CTrade does. Built from the live specification for every order, closes included, and never cached per symbol:
 * docs/trading-core.md ("Filling modes") says why.
 */
export function fillingCandidates(
  spec: Pick<SymbolSpec, 'executionMode' | 'fillingFlags'>,
  orderKind: OrderKind,
): readonly FillingMode[] {
  const flags = spec.fillingFlags;
  const list: FillingMode[] = [];
  switch (spec.executionMode) {
    case 'REQUEST':
    case 'INSTANT':
      return ['FOK'];
    case 'EXCHANGE':
      if (orderKind !== 'market') return ['RETURN'];
      break;
    case 'MARKET':
      if (orderKind === 'limit') list.push('RETURN');
      break;
    default:
      throw missingCaseError(spec.executionMode);
  }
  if ((flags & SYMBOL_FILLING_FLAG.FOK) !== 0) list.push('FOK');
  if ((flags & SYMBOL_FILLING_FLAG.IOC) !== 0) list.push('IOC');
  if (spec.executionMode === 'EXCHANGE') list.push('RETURN');
  return list.slice(0, MAX_CANDIDATES);
}

/** The filling mode to retry with after `failed` got retcode 10030, or undefined when none is left. */
export function nextFillingCandidate(
  spec: Pick<SymbolSpec, 'executionMode' | 'fillingFlags'>,
  orderKind: OrderKind,
  failed: FillingMode,
): FillingMode | undefined {
  const list = fillingCandidates(spec, orderKind);
  const index = list.indexOf(failed);
  return index === -1 ? list[0] : list[index + 1];
}
