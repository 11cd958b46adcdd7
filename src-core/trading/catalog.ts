import {
  SYMBOL_EXPIRATION_FLAG as EXP,
  SYMBOL_FILLING_FLAG as FILL,
  SYMBOL_ORDER_FLAG as ORD,
} from './symbol-spec';
import { SymbolSpec, type SymbolSpecInput } from './symbol-spec';

/**
 * A built-in catalog of realistic example symbols for demos, the calculator before a terminal connects, and the
 * simulator. Real specifications always come from the terminal: brokers differ in suffixes, contract sizes,
 * volume limits, calc modes and filling flags.
 *
 * Deliberately no `tickValue` here: MT5's tick value is in the *account* currency, which a catalog cannot know.
 * Sizing derives it from the contract size and conversion rates (see sizing.ts and docs/trading-core.md).
 *
 * The mix is chosen to exercise every rule: all seven calc modes, all four execution modes, filling flags FOK
 * only / IOC only / both / with BOC, non-zero stops and freeze levels, tick sizes larger than the point, and each
 * restrictive trade mode.
 */

type Base = Omit<SymbolSpecInput, 'name' | 'currencyBase' | 'currencyProfit' | 'currencyMargin'>;

const ALL_ORDERS = ORD.MARKET | ORD.LIMIT | ORD.STOP | ORD.STOP_LIMIT | ORD.SL | ORD.TP | ORD.CLOSEBY;
const ALL_EXPIRATIONS = EXP.GTC | EXP.DAY | EXP.SPECIFIED | EXP.SPECIFIED_DAY;

/** A standard 100,000-unit FX pair; `digits` 5 (or 3 for JPY quotes). */
function fx(name: string, description: string, extra: Partial<Base> = {}): SymbolSpecInput {
  const isJpy = name.endsWith('JPY');
  const digits = extra.digits ?? (isJpy ? 3 : 5);
  const point = 10 ** -digits;
  return {
    name,
    description,
    digits,
    point: Number(point.toFixed(digits)),
    tickSize: Number(point.toFixed(digits)),
    contractSize: 100_000,
    volumeMin: 0.01,
    volumeMax: 100,
    volumeStep: 0.01,
    currencyBase: name.slice(0, 3),
    currencyProfit: name.slice(3, 6),
    currencyMargin: name.slice(0, 3),
    calcMode: 'FOREX',
    marginRate: 1,
    tradeMode: 'FULL',
    executionMode: 'MARKET',
    fillingFlags: FILL.FOK | FILL.IOC,
    expirationFlags: ALL_EXPIRATIONS,
    orderFlags: ALL_ORDERS,
    stopsLevel: 0,
    freezeLevel: 0,
    spreadPoints: 12,
    ...extra,
  };
}

/** A CFD whose margin and profit are in `currency`; `base` is the traded asset where it is a currency code. */
function cfd(
  name: string,
  description: string,
  currency: string,
  extra: Base,
  base = currency,
): SymbolSpecInput {
  return {
    name,
    description,
    currencyBase: base,
    currencyProfit: currency,
    currencyMargin: currency,
    ...extra,
  };
}

const RAW: readonly SymbolSpecInput[] = [
  // Majors. Execution and filling vary on purpose: IOC-only and FOK-only symbols are what trips hard-coded
  // filling modes into 10030 at real brokers (docs/trading-core.md, "Filling modes").
  fx('EURUSD', 'Euro vs US Dollar', { spreadPoints: 10 }),
  fx('GBPUSD', 'Great Britain Pound vs US Dollar', { fillingFlags: FILL.IOC, spreadPoints: 14 }),
  fx('USDJPY', 'US Dollar vs Japanese Yen', { spreadPoints: 12 }),
  fx('USDCHF', 'US Dollar vs Swiss Franc', {
    executionMode: 'INSTANT',
    fillingFlags: FILL.FOK,
    stopsLevel: 10,
    spreadPoints: 15,
  }),
  fx('AUDUSD', 'Australian Dollar vs US Dollar', { fillingFlags: FILL.FOK, spreadPoints: 12 }),
  fx('NZDUSD', 'New Zealand Dollar vs US Dollar', { fillingFlags: FILL.IOC, spreadPoints: 18 }),
  fx('USDCAD', 'US Dollar vs Canadian Dollar', { stopsLevel: 5, spreadPoints: 16 }),
  // Crosses.
  fx('EURGBP', 'Euro vs Great Britain Pound', { spreadPoints: 15 }),
  fx('EURJPY', 'Euro vs Japanese Yen', { spreadPoints: 18 }),
  fx('GBPJPY', 'Great Britain Pound vs Japanese Yen', {
    executionMode: 'INSTANT',
    fillingFlags: FILL.FOK,
    stopsLevel: 20,
    freezeLevel: 5,
    spreadPoints: 28,
  }),
  fx('AUDJPY', 'Australian Dollar vs Japanese Yen', { spreadPoints: 20 }),
  fx('CHFJPY', 'Swiss Franc vs Japanese Yen', { spreadPoints: 25, volumeMax: 50 }),
  fx('EURCHF', 'Euro vs Swiss Franc', { spreadPoints: 18 }),
  fx('EURAUD', 'Euro vs Australian Dollar', { spreadPoints: 22 }),
  fx('GBPCHF', 'Great Britain Pound vs Swiss Franc', { spreadPoints: 26 }),
  // Request execution: the dealer confirms each price, requotes (10004) are normal.
  fx('EURSEK', 'Euro vs Swedish Krona', {
    executionMode: 'REQUEST',
    fillingFlags: FILL.FOK,
    stopsLevel: 50,
    freezeLevel: 10,
    spreadPoints: 250,
    volumeMax: 20,
  }),
  // Exotic without leverage: margin = lots × contract × rate, the rate (20%) stands for the broker's terms.
  fx('USDTRY', 'US Dollar vs Turkish Lira', {
    calcMode: 'FOREX_NO_LEVERAGE',
    marginRate: 0.2,
    spreadPoints: 900,
    volumeMax: 10,
    stopsLevel: 100,
    freezeLevel: 50,
  }),
  // Sanctioned/delisted pairs are typically left close-only.
  fx('USDRUB', 'US Dollar vs Russian Ruble', {
    tradeMode: 'CLOSEONLY',
    digits: 3,
    spreadPoints: 2000,
    volumeMax: 10,
  }),
  fx('USDSGD', 'US Dollar vs Singapore Dollar', { spreadPoints: 30 }),
  // Metals. Gold in FOREX mode makes the margin currency XAU, converted to the account through XAUUSD itself.
  {
    name: 'XAUUSD',
    description: 'Gold vs US Dollar',
    digits: 2,
    point: 0.01,
    tickSize: 0.01,
    contractSize: 100,
    volumeMin: 0.01,
    volumeMax: 50,
    volumeStep: 0.01,
    currencyBase: 'XAU',
    currencyProfit: 'USD',
    currencyMargin: 'XAU',
    calcMode: 'FOREX',
    tradeMode: 'FULL',
    executionMode: 'MARKET',
    fillingFlags: FILL.FOK | FILL.IOC,
    stopsLevel: 0,
    freezeLevel: 0,
    spreadPoints: 25,
  },
  cfd(
    'XAGUSD',
    'Silver vs US Dollar',
    'USD',
    {
      digits: 3,
      point: 0.001,
      tickSize: 0.001,
      contractSize: 5000,
      volumeMin: 0.01,
      volumeMax: 50,
      volumeStep: 0.01,
      calcMode: 'CFDLEVERAGE',
      tradeMode: 'FULL',
      executionMode: 'MARKET',
      fillingFlags: FILL.IOC,
      stopsLevel: 10,
      freezeLevel: 0,
      spreadPoints: 30,
    },
    'XAG',
  ),
  // Palladium switched off by the broker: every order is refused with 10017.
  cfd(
    'XPDUSD',
    'Palladium vs US Dollar',
    'USD',
    {
      digits: 2,
      point: 0.01,
      tickSize: 0.01,
      contractSize: 100,
      volumeMin: 0.01,
      volumeMax: 10,
      volumeStep: 0.01,
      calcMode: 'CFDLEVERAGE',
      tradeMode: 'DISABLED',
      executionMode: 'MARKET',
      fillingFlags: FILL.FOK | FILL.IOC,
      stopsLevel: 0,
      freezeLevel: 0,
      spreadPoints: 400,
    },
    'XPD',
  ),
  // Indices: one per CFD calc mode, and tick sizes larger than the point (US500, JP225).
  cfd('US30', 'Dow Jones Industrial Average cash CFD', 'USD', {
    digits: 1,
    point: 0.1,
    tickSize: 0.1,
    contractSize: 1,
    volumeMin: 0.1,
    volumeMax: 100,
    volumeStep: 0.1,
    calcMode: 'CFDINDEX',
    marginRate: 0.01,
    tradeMode: 'FULL',
    executionMode: 'MARKET',
    fillingFlags: FILL.FOK | FILL.IOC,
    expirationFlags: EXP.GTC | EXP.DAY,
    stopsLevel: 50,
    freezeLevel: 10,
    spreadPoints: 20,
  }),
  cfd('US500', 'S&P 500 cash CFD', 'USD', {
    digits: 2,
    point: 0.01,
    tickSize: 0.25,
    contractSize: 1,
    volumeMin: 0.1,
    volumeMax: 100,
    volumeStep: 0.1,
    calcMode: 'CFD',
    marginRate: 0.05,
    tradeMode: 'FULL',
    executionMode: 'MARKET',
    fillingFlags: FILL.IOC,
    expirationFlags: EXP.GTC | EXP.DAY,
    stopsLevel: 100,
    freezeLevel: 0,
    spreadPoints: 50,
  }),
  cfd('NAS100', 'Nasdaq 100 cash CFD', 'USD', {
    digits: 2,
    point: 0.01,
    tickSize: 0.01,
    contractSize: 1,
    volumeMin: 0.1,
    volumeMax: 100,
    volumeStep: 0.1,
    calcMode: 'CFDLEVERAGE',
    tradeMode: 'FULL',
    executionMode: 'MARKET',
    fillingFlags: FILL.FOK | FILL.IOC,
    stopsLevel: 100,
    freezeLevel: 0,
    spreadPoints: 150,
  }),
  cfd('GER40', 'Germany 40 cash CFD', 'EUR', {
    digits: 1,
    point: 0.1,
    tickSize: 0.1,
    contractSize: 1,
    volumeMin: 0.1,
    volumeMax: 100,
    volumeStep: 0.1,
    calcMode: 'CFD',
    marginRate: 0.05,
    tradeMode: 'FULL',
    executionMode: 'MARKET',
    fillingFlags: FILL.FOK | FILL.IOC,
    stopsLevel: 30,
    freezeLevel: 0,
    spreadPoints: 12,
  }),
  cfd('UK100', 'UK 100 cash CFD', 'GBP', {
    digits: 1,
    point: 0.1,
    tickSize: 0.1,
    contractSize: 1,
    volumeMin: 0.1,
    volumeMax: 100,
    volumeStep: 0.1,
    calcMode: 'CFD',
    marginRate: 0.05,
    tradeMode: 'FULL',
    executionMode: 'MARKET',
    fillingFlags: FILL.FOK | FILL.IOC,
    stopsLevel: 30,
    freezeLevel: 0,
    spreadPoints: 15,
  }),
  cfd('JP225', 'Japan 225 cash CFD', 'JPY', {
    digits: 0,
    point: 1,
    tickSize: 5,
    contractSize: 100,
    volumeMin: 0.1,
    volumeMax: 50,
    volumeStep: 0.1,
    calcMode: 'CFD',
    marginRate: 0.05,
    tradeMode: 'FULL',
    executionMode: 'MARKET',
    fillingFlags: FILL.IOC,
    stopsLevel: 20,
    freezeLevel: 0,
    spreadPoints: 10,
  }),
  // Crypto, traded at weekends; coarse volume steps and wide stops levels are typical.
  cfd(
    'BTCUSD',
    'Bitcoin vs US Dollar',
    'USD',
    {
      digits: 2,
      point: 0.01,
      tickSize: 0.01,
      contractSize: 1,
      volumeMin: 0.01,
      volumeMax: 20,
      volumeStep: 0.01,
      calcMode: 'CFD',
      marginRate: 0.5,
      tradeMode: 'FULL',
      executionMode: 'MARKET',
      fillingFlags: FILL.FOK | FILL.IOC,
      stopsLevel: 1000,
      freezeLevel: 0,
      spreadPoints: 3000,
    },
    'BTC',
  ),
  cfd(
    'ETHUSD',
    'Ethereum vs US Dollar',
    'USD',
    {
      digits: 2,
      point: 0.01,
      tickSize: 0.01,
      contractSize: 1,
      volumeMin: 0.1,
      volumeMax: 200,
      volumeStep: 0.1,
      calcMode: 'CFDLEVERAGE',
      marginRate: 1,
      tradeMode: 'FULL',
      executionMode: 'INSTANT',
      fillingFlags: FILL.FOK,
      stopsLevel: 200,
      freezeLevel: 20,
      spreadPoints: 250,
    },
    'ETH',
  ),
  // An exchange-traded share: whole shares, no leverage, long only (no short selling on the cash account),
  // exchange execution with every filling flag.
  cfd('AAPL', 'Apple Inc. (NASDAQ)', 'USD', {
    digits: 2,
    point: 0.01,
    tickSize: 0.01,
    contractSize: 1,
    volumeMin: 1,
    volumeMax: 10_000,
    volumeStep: 1,
    calcMode: 'EXCH_STOCKS',
    marginRate: 1,
    tradeMode: 'LONGONLY',
    executionMode: 'EXCHANGE',
    fillingFlags: FILL.FOK | FILL.IOC | FILL.BOC,
    expirationFlags: EXP.GTC | EXP.DAY,
    orderFlags: ORD.MARKET | ORD.LIMIT | ORD.STOP | ORD.SL | ORD.TP,
    stopsLevel: 0,
    freezeLevel: 0,
    spreadPoints: 2,
  }),
  // A futures contract: margin is a fixed amount per lot (SYMBOL_MARGIN_INITIAL), not a function of price.
  cfd('CLF27', 'Light Sweet Crude Oil, January 2027 futures', 'USD', {
    digits: 2,
    point: 0.01,
    tickSize: 0.01,
    contractSize: 1000,
    volumeMin: 1,
    volumeMax: 100,
    volumeStep: 1,
    calcMode: 'FUTURES',
    marginRate: 1,
    marginInitial: 6000,
    tradeMode: 'FULL',
    executionMode: 'EXCHANGE',
    fillingFlags: FILL.FOK | FILL.IOC,
    expirationFlags: EXP.GTC | EXP.DAY | EXP.SPECIFIED_DAY,
    orderFlags: ORD.MARKET | ORD.LIMIT | ORD.STOP | ORD.STOP_LIMIT | ORD.SL | ORD.TP,
    stopsLevel: 0,
    freezeLevel: 0,
    spreadPoints: 2,
  }),
];

/** The catalog, validated against {@link SymbolSpec} when the module loads (a bad entry is a bug). */
export const SYMBOL_CATALOG: readonly SymbolSpec[] = Object.freeze(
  RAW.map((raw) => Object.freeze(SymbolSpec.parse(raw))),
);

const BY_NAME = new Map(SYMBOL_CATALOG.map((s) => [s.name.toUpperCase(), s]));

/** Looks a catalog symbol up by name, case-insensitively; undefined when the catalog does not have it. */
export function findCatalogSymbol(name: string): SymbolSpec | undefined {
  return BY_NAME.get(name.toUpperCase());
}

/**
 * Realistic mid prices for every catalog symbol, for demos and the simulator's starting feed. The FX crosses
 * are consistent with the USD legs (EURJPY = EURUSD × USDJPY = 1.085 × 150 = 162.75), so conversions give the
 * same answer whichever path they take. Each price sits on its symbol's tick grid. Keys are symbol names; as
 * currency pairs they also serve as conversion rates (`Rates` in conversion.ts).
 */
export const CATALOG_MID_PRICES: Readonly<Record<string, number>> = Object.freeze({
  EURUSD: 1.085,
  GBPUSD: 1.27,
  USDJPY: 150.0,
  USDCHF: 0.88,
  AUDUSD: 0.655,
  NZDUSD: 0.6,
  USDCAD: 1.36,
  EURGBP: 0.85433,
  EURJPY: 162.75,
  GBPJPY: 190.5,
  AUDJPY: 98.25,
  CHFJPY: 170.455,
  EURCHF: 0.9548,
  EURAUD: 1.65649,
  GBPCHF: 1.1176,
  EURSEK: 11.45,
  USDTRY: 34.2,
  USDRUB: 92.5,
  USDSGD: 1.34,
  XAUUSD: 2650.0,
  XAGUSD: 31.0,
  XPDUSD: 1000.0,
  US30: 39000.0,
  US500: 5200.0,
  NAS100: 18000.0,
  GER40: 18500.0,
  UK100: 8200.0,
  JP225: 38500,
  BTCUSD: 65000.0,
  ETHUSD: 3400.0,
  AAPL: 190.0,
  CLF27: 72.5,
});
