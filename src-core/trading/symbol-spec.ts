import { z } from 'zod';

/**
 * MT5 enumerations, as names. The numeric values MT5 uses are kept beside each name so the bridge can map
 * terminal integers to these names at the boundary (see docs/bridge-protocol.md).
 */

/** ENUM_SYMBOL_CALC_MODE (the modes a retail FX/CFD broker uses). */
export const CalcMode = z.enum([
  'FOREX',
  'FOREX_NO_LEVERAGE',
  'CFD',
  'CFDLEVERAGE',
  'CFDINDEX',
  'FUTURES',
  'EXCH_STOCKS',
]);
export type CalcMode = z.infer<typeof CalcMode>;
/** MT5's integer for each {@link CalcMode}. */
export const CALC_MODE_VALUE: Readonly<Record<CalcMode, number>> = {
  FOREX: 0,
  FUTURES: 1,
  CFD: 2,
  CFDINDEX: 3,
  CFDLEVERAGE: 4,
  FOREX_NO_LEVERAGE: 5,
  EXCH_STOCKS: 32,
};

/** ENUM_SYMBOL_TRADE_MODE. */
export const TradeMode = z.enum(['DISABLED', 'LONGONLY', 'SHORTONLY', 'CLOSEONLY', 'FULL']);
export type TradeMode = z.infer<typeof TradeMode>;
/** MT5's integer for each {@link TradeMode}. */
export const TRADE_MODE_VALUE: Readonly<Record<TradeMode, number>> = {
  DISABLED: 0,
  LONGONLY: 1,
  SHORTONLY: 2,
  CLOSEONLY: 3,
  FULL: 4,
};

/** ENUM_SYMBOL_TRADE_EXECUTION. */
export const ExecutionMode = z.enum(['REQUEST', 'INSTANT', 'MARKET', 'EXCHANGE']);
export type ExecutionMode = z.infer<typeof ExecutionMode>;
/** MT5's integer for each {@link ExecutionMode}. */
export const EXECUTION_MODE_VALUE: Readonly<Record<ExecutionMode, number>> = {
  REQUEST: 0,
  INSTANT: 1,
  MARKET: 2,
  EXCHANGE: 3,
};

/** ENUM_ORDER_TYPE_FILLING, what an order asks for (not to be confused with the symbol's flags). */
export const FillingMode = z.enum(['FOK', 'IOC', 'RETURN', 'BOC']);
export type FillingMode = z.infer<typeof FillingMode>;
/** MT5's integer for each {@link FillingMode}: FOK=0, IOC=1, RETURN=2, BOC=3. */
export const FILLING_MODE_VALUE: Readonly<Record<FillingMode, number>> = {
  FOK: 0,
  IOC: 1,
  RETURN: 2,
  BOC: 3,
};

/** SYMBOL_FILLING_MODE bit flags: FOK=1, IOC=2, BOC=4. There is no RETURN flag. */
export const SYMBOL_FILLING_FLAG = { FOK: 1, IOC: 2, BOC: 4 } as const;

/** SYMBOL_EXPIRATION_MODE bit flags. */
export const SYMBOL_EXPIRATION_FLAG = { GTC: 1, DAY: 2, SPECIFIED: 4, SPECIFIED_DAY: 8 } as const;

/** SYMBOL_ORDER_MODE bit flags. */
export const SYMBOL_ORDER_FLAG = {
  MARKET: 1,
  LIMIT: 2,
  STOP: 4,
  STOP_LIMIT: 8,
  SL: 16,
  TP: 32,
  CLOSEBY: 64,
} as const;

const positive = z.number().positive();
const nonNegative = z.number().nonnegative();
const currency = z.string().regex(/^[A-Z0-9]{3,6}$/, 'a currency code such as USD');

/**
 * A symbol's trading specification with MT5's fields. Real specifications always come from the terminal;
 * the catalog holds realistic examples for demos and the simulator.
 */
export const SymbolSpec = z.object({
  /** Broker's symbol name, e.g. `EURUSD`, `EURUSDm`, `XAUUSD.`. */
  name: z.string().min(1).max(64),
  description: z.string().max(200).default(''),
  /** SYMBOL_DIGITS: decimals of a quote. */
  digits: z.number().int().min(0).max(10),
  /** SYMBOL_POINT: 10^-digits. */
  point: positive,
  /** SYMBOL_TRADE_TICK_SIZE: the smallest price change. */
  tickSize: positive,
  /**
   * SYMBOL_TRADE_TICK_VALUE_LOSS: money per tick per lot in the account currency on the loss side. Optional:
   * when absent (or when the account currency differs from what the spec was made for) it is derived from
   * the contract size and conversion rates.
   */
  tickValue: positive.optional(),
  /** SYMBOL_TRADE_CONTRACT_SIZE: units of the base per lot. */
  contractSize: positive,
  volumeMin: positive,
  volumeMax: positive,
  volumeStep: positive,
  currencyBase: currency,
  currencyProfit: currency,
  currencyMargin: currency,
  calcMode: CalcMode,
  /** SYMBOL_MARGIN_INITIAL rate multiplier (1 when the broker leaves it at 0). */
  marginRate: positive.default(1),
  /**
   * SYMBOL_MARGIN_INITIAL as money: initial margin per lot in the margin currency. Used by the FUTURES calc
   * mode (margin = lots × marginInitial × marginRate); other modes ignore it.
   */
  marginInitial: positive.optional(),
  tradeMode: TradeMode,
  executionMode: ExecutionMode,
  /** SYMBOL_FILLING_MODE bit flags ({@link SYMBOL_FILLING_FLAG}). */
  fillingFlags: z.number().int().min(0).max(7),
  /** SYMBOL_EXPIRATION_MODE bit flags ({@link SYMBOL_EXPIRATION_FLAG}). */
  expirationFlags: z.number().int().min(0).max(15).default(15),
  /** SYMBOL_ORDER_MODE bit flags ({@link SYMBOL_ORDER_FLAG}). */
  orderFlags: z.number().int().min(0).max(127).default(127),
  /** SYMBOL_TRADE_STOPS_LEVEL in points. */
  stopsLevel: z.number().int().nonnegative(),
  /** SYMBOL_TRADE_FREEZE_LEVEL in points. */
  freezeLevel: z.number().int().nonnegative(),
  /** Size of one pip in price units; default 10 points for 3- and 5-digit quotes, else 1 point. */
  pipSize: positive.optional(),
  /** Typical spread in points, used by the simulator's feed. */
  spreadPoints: nonNegative.optional(),
});
export type SymbolSpec = z.infer<typeof SymbolSpec>;
/** What callers may give before defaults are applied. */
export type SymbolSpecInput = z.input<typeof SymbolSpec>;

/** A bid/ask quote with its time in milliseconds since the epoch. */
export const Quote = z.object({
  symbol: z.string().min(1).max(64),
  bid: positive,
  ask: positive,
  timeMs: z.number().int().nonnegative(),
});
export type Quote = z.infer<typeof Quote>;

/** ENUM_ACCOUNT_MARGIN_MODE, as the app uses it. */
export const MarginMode = z.enum(['netting', 'hedging']);
export type MarginMode = z.infer<typeof MarginMode>;

/** Order side. */
export const Side = z.enum(['buy', 'sell']);
export type Side = z.infer<typeof Side>;
