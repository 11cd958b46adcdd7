import { err, ok, type Result, appError, type AppError } from '../../src-core/result';
import {
  CALC_MODE_VALUE,
  EXECUTION_MODE_VALUE,
  TRADE_MODE_VALUE,
  type CalcMode,
  type ExecutionMode,
  type SymbolSpec,
  type TradeMode,
} from '../../src-core/trading/symbol-spec';
import type { FillingName, OrderTypeName, TypeTimeName, WireSymbolSpec } from './messages';

/** Inverts a name → integer table. */
function invert<N extends string>(table: Readonly<Record<N, number>>): ReadonlyMap<number, N> {
  return new Map(Object.entries(table).map(([name, value]) => [value as number, name as N]));
}

/** ENUM_ORDER_TYPE integers by name (CLOSE_BY=8 appears only in what the EA reports). */
export const ORDER_TYPE_VALUE: Readonly<Record<OrderTypeName | 'CLOSE_BY', number>> = {
  BUY: 0,
  SELL: 1,
  BUY_LIMIT: 2,
  SELL_LIMIT: 3,
  BUY_STOP: 4,
  SELL_STOP: 5,
  BUY_STOP_LIMIT: 6,
  SELL_STOP_LIMIT: 7,
  CLOSE_BY: 8,
};
/** ENUM_ORDER_TYPE names by integer. */
export const ORDER_TYPE_NAME = invert(ORDER_TYPE_VALUE);

/** ENUM_ORDER_TYPE_FILLING integers by name. */
export const FILLING_VALUE: Readonly<Record<FillingName, number>> = { FOK: 0, IOC: 1, RETURN: 2, BOC: 3 };
/** ENUM_ORDER_TYPE_FILLING names by integer. */
export const FILLING_NAME = invert(FILLING_VALUE);

/** ENUM_ORDER_TYPE_TIME integers by name. */
export const TYPE_TIME_VALUE: Readonly<Record<TypeTimeName, number>> = {
  GTC: 0,
  DAY: 1,
  SPECIFIED: 2,
  SPECIFIED_DAY: 3,
};

/** ENUM_POSITION_TYPE. */
export const POSITION_TYPE = { BUY: 0, SELL: 1 } as const;

/** ENUM_ORDER_STATE. */
export const ORDER_STATE = {
  STARTED: 0,
  PLACED: 1,
  CANCELED: 2,
  PARTIAL: 3,
  FILLED: 4,
  REJECTED: 5,
  EXPIRED: 6,
} as const;

/** ENUM_DEAL_TYPE (the ones a retail account produces). */
export const DEAL_TYPE = { BUY: 0, SELL: 1, BALANCE: 2, CREDIT: 3, CHARGE: 4, CORRECTION: 5 } as const;

/** ENUM_DEAL_ENTRY. */
export const DEAL_ENTRY = { IN: 0, OUT: 1, INOUT: 2, OUT_BY: 3 } as const;

/** ENUM_DEAL_REASON. */
export const DEAL_REASON = { CLIENT: 0, MOBILE: 1, WEB: 2, EXPERT: 3, SL: 4, TP: 5, SO: 6 } as const;

/** ENUM_TRADE_TRANSACTION_TYPE. */
export const TXN_TYPE = {
  ORDER_ADD: 0,
  ORDER_UPDATE: 1,
  ORDER_DELETE: 2,
  HISTORY_ADD: 3,
  HISTORY_UPDATE: 4,
  HISTORY_DELETE: 5,
  DEAL_ADD: 6,
  DEAL_UPDATE: 7,
  DEAL_DELETE: 8,
  POSITION: 9,
  REQUEST: 10,
} as const;

const CALC_MODE_NAME = invert<CalcMode>(CALC_MODE_VALUE);
const TRADE_MODE_NAME = invert<TradeMode>(TRADE_MODE_VALUE);
const EXECUTION_MODE_NAME = invert<ExecutionMode>(EXECUTION_MODE_VALUE);

/**
 * Maps a symbol specification as the EA reports it (MT5 integers) to the core {@link SymbolSpec}. Fails with
 * `UNSUPPORTED_SYMBOL` for calculation, trade or execution modes the core does not model.
 */
export function toSymbolSpec(wire: WireSymbolSpec): Result<SymbolSpec, AppError<'UNSUPPORTED_SYMBOL'>> {
  const calcMode = CALC_MODE_NAME.get(wire.calcMode);
  const tradeMode = TRADE_MODE_NAME.get(wire.tradeMode);
  const executionMode = EXECUTION_MODE_NAME.get(wire.executionMode);
  if (calcMode === undefined || tradeMode === undefined || executionMode === undefined) {
    return err(
      appError('UNSUPPORTED_SYMBOL', `${wire.name}: unsupported calc/trade/execution mode`, {
        calcMode: wire.calcMode,
        tradeMode: wire.tradeMode,
        executionMode: wire.executionMode,
      }),
    );
  }
  const spec: SymbolSpec = {
    name: wire.name,
    description: wire.description,
    digits: wire.digits,
    point: wire.point,
    tickSize: wire.tickSize,
    contractSize: wire.contractSize,
    volumeMin: wire.volumeMin,
    volumeMax: wire.volumeMax,
    volumeStep: wire.volumeStep,
    currencyBase: wire.currencyBase,
    currencyProfit: wire.currencyProfit,
    currencyMargin: wire.currencyMargin,
    calcMode,
    marginRate: wire.marginRate > 0 ? wire.marginRate : 1,
    tradeMode,
    executionMode,
    fillingFlags: wire.fillingFlags & 7,
    expirationFlags: wire.expirationFlags & 15,
    orderFlags: wire.orderFlags & 127,
    stopsLevel: wire.stopsLevel,
    freezeLevel: wire.freezeLevel,
    spreadPoints: wire.spread,
  };
  const withTickValue = wire.tickValue > 0 ? { ...spec, tickValue: wire.tickValue } : spec;
  return ok(wire.marginInitial > 0 ? { ...withTickValue, marginInitial: wire.marginInitial } : withTickValue);
}
