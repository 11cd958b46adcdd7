import { missingCaseError } from '../result';
import { SYMBOL_FILLING_FLAG, type FillingMode, type SymbolSpec } from './symbol-spec';

/** Whether the order executes now (a deal, including closes) or rests as a pending order. */
export type OrderKind = 'market' | 'pending';

/**
 * The filling modes to try, in order: send with the first, and after retcode 10030 (INVALID_FILL, nothing
 * executed) retry with the next. The rules and where they come from are in docs/mql5-functions.md ("Filling"):
 * - market orders on Request/Instant execution: FOK only (the dealer fills all or requotes);
 * - market orders on Market/Exchange execution: FOK if the symbol's flags allow it, then IOC if allowed, then
 *   RETURN as a last resort: brokers that report no flags at all (SYMBOL_FILLING_MODE = 0) accept RETURN, so it
 *   stays on the list rather than failing locally;
 * - pending orders: RETURN (a partly filled remainder keeps working), or BOC when the caller asks for
 *   book-or-cancel and the symbol allows it.
 * Never empty. Built from the live specification for every order, closes included, and never cached per symbol:
 * docs/trading-core.md ("Filling modes") says why.
 */
export function fillingCandidates(
  spec: Pick<SymbolSpec, 'executionMode' | 'fillingFlags'>,
  orderKind: OrderKind,
  options: { readonly bookOrCancel?: boolean } = {},
): readonly FillingMode[] {
  const flags = spec.fillingFlags;
  if (orderKind === 'pending') {
    return options.bookOrCancel === true && (flags & SYMBOL_FILLING_FLAG.BOC) !== 0 ? ['BOC'] : ['RETURN'];
  }
  switch (spec.executionMode) {
    case 'REQUEST':
    case 'INSTANT':
      return ['FOK'];
    case 'MARKET':
    case 'EXCHANGE': {
      const list: FillingMode[] = [];
      if ((flags & SYMBOL_FILLING_FLAG.FOK) !== 0) list.push('FOK');
      if ((flags & SYMBOL_FILLING_FLAG.IOC) !== 0) list.push('IOC');
      list.push('RETURN');
      return list;
    }
    default:
      throw missingCaseError(spec.executionMode);
  }
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
