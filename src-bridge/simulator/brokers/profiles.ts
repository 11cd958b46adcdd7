import type { BrokerProfile } from './broker-profile';

/*
 * Seven account types of three brokers, from their public pages (each profile cites its sources). Brokers change
 * these figures and differ by regulated entity: every profile lists what a person must check on a real demo, and
 * docs/broker-profiles.md says how. Spreads are typical figures in points, not promises.
 */

const FX_MAJORS = ['EURUSD', 'GBPUSD', 'USDJPY', 'USDCHF', 'AUDUSD', 'USDCAD', 'EURJPY', 'EURGBP'] as const;
const WITH_METALS = [...FX_MAJORS, 'XAUUSD', 'XAGUSD'] as const;
const WITH_INDICES = [...WITH_METALS, 'US30', 'NAS100', 'GER40'] as const;

const EXNESS_TYPES = 'https://get.exness.help/hc/en-us/articles/360013782240-Trading-account-types';
const EXNESS_LEVELS = 'https://get.exness.help/hc/en-us/articles/360014693340';
const XM_SIZES =
  'https://fofan.org/faq/whats-the-minimum-and-maximum-trading-size-on-xms-mt4-and-mt5-trading-accounts/';
const XM_LEVELS = 'https://www.mytradingland.com/thread/what-is-xm-stop-out-86be86';
const FBS_CONDITIONS = 'https://www.fbs-trading.com/trading-instrument/crypto-currencies/';
const FBS_LEVERAGE = 'http://fbs-affiliate.com/trading/leverage';

const COMMON_CHECKS = [
  'symbol names and suffix in Market Watch',
  'contract size, volume min/step/max and digits in each symbol’s Specification',
  'stops level and freeze level in each symbol’s Specification',
  'filling modes (SYMBOL_FILLING_MODE) and execution mode',
  'margin call and stop-out levels in the account’s properties',
  'the trade server’s time offset, winter and summer',
];

export const BROKER_PROFILES: readonly BrokerProfile[] = [
  {
    id: 'exness-standard',
    broker: 'Exness',
    accountType: 'Standard',
    sources: [EXNESS_TYPES, EXNESS_LEVELS],
    toCheck: [...COMMON_CHECKS, 'leverage: "unlimited" is played as 1:2000'],
    account: {
      server: 'Exness-MT5Trial',
      company: 'Exness (simulated)',
      currency: 'USD',
      leverage: 2000,
      marginMode: 'hedging',
      marginSoCall: 60,
      marginSoSo: 0,
    },
    timeOffsetSec: 0,
    suffix: 'm',
    instruments: WITH_INDICES,
    contractScale: 1,
    volume: { min: 0.01, step: 0.01, max: 200 },
    executionMode: 'MARKET',
    commissionPerLotPerSide: 0,
    spreadPoints: { EURUSD: 10, GBPUSD: 12, USDJPY: 12, XAUUSD: 20 },
    stopsLevel: 0,
    freezeLevel: 0,
  },
  {
    id: 'exness-cent',
    broker: 'Exness',
    accountType: 'Standard Cent',
    sources: [EXNESS_TYPES, EXNESS_LEVELS],
    toCheck: [
      ...COMMON_CHECKS,
      'the account currency reads USC and the balance is in cents',
      'whether the terminal reports the cent contract as 1,000 units or as 100,000 with USC profit (either gives 0.1 USC a pip for 0.01 lot)',
      'Exness offers no demo for Standard Cent: check on a small real account',
    ],
    account: {
      server: 'Exness-MT5Real',
      company: 'Exness (simulated)',
      currency: 'USC',
      leverage: 2000,
      marginMode: 'hedging',
      marginSoCall: 60,
      marginSoSo: 0,
    },
    timeOffsetSec: 0,
    suffix: 'c',
    instruments: WITH_METALS,
    contractScale: 0.01,
    volume: { min: 0.01, step: 0.01, max: 200 },
    executionMode: 'MARKET',
    commissionPerLotPerSide: 0,
    spreadPoints: { EURUSD: 10, GBPUSD: 12, USDJPY: 12, XAUUSD: 20 },
    stopsLevel: 0,
    freezeLevel: 0,
  },
  {
    id: 'exness-raw',
    broker: 'Exness',
    accountType: 'Raw Spread',
    sources: [EXNESS_TYPES, EXNESS_LEVELS],
    toCheck: [...COMMON_CHECKS, 'commission per lot per side on each symbol (played as 3.50 USD)'],
    account: {
      server: 'Exness-MT5Trial',
      company: 'Exness (simulated)',
      currency: 'USD',
      leverage: 2000,
      marginMode: 'hedging',
      marginSoCall: 30,
      marginSoSo: 0,
    },
    timeOffsetSec: 0,
    suffix: 'r',
    instruments: WITH_INDICES,
    contractScale: 1,
    volume: { min: 0.01, step: 0.01, max: 200 },
    executionMode: 'MARKET',
    commissionPerLotPerSide: 3.5,
    spreadPoints: { EURUSD: 1, GBPUSD: 2, USDJPY: 2, XAUUSD: 5 },
    stopsLevel: 0,
    freezeLevel: 0,
  },
  {
    id: 'xm-standard',
    broker: 'XM',
    accountType: 'Standard',
    sources: [XM_SIZES, XM_LEVELS],
    toCheck: [...COMMON_CHECKS, 'maximum leverage for the entity (played as 1:1000)'],
    account: {
      server: 'XMGlobal-MT5 2',
      company: 'XM (simulated)',
      currency: 'USD',
      leverage: 1000,
      marginMode: 'hedging',
      marginSoCall: 50,
      marginSoSo: 20,
      limitOrders: 200,
    },
    timeOffsetSec: 2 * 3600,
    suffix: '',
    instruments: WITH_INDICES,
    contractScale: 1,
    volume: { min: 0.01, step: 0.01, max: 50 },
    executionMode: 'MARKET',
    commissionPerLotPerSide: 0,
    spreadPoints: { EURUSD: 16, GBPUSD: 20, USDJPY: 18, XAUUSD: 35 },
    stopsLevel: 0,
    freezeLevel: 0,
  },
  {
    id: 'xm-micro',
    broker: 'XM',
    accountType: 'Micro',
    sources: [XM_SIZES, XM_LEVELS],
    toCheck: [...COMMON_CHECKS, 'the micro suffix on MT5 (played as EURUSDmicro)'],
    account: {
      server: 'XMGlobal-MT5 2',
      company: 'XM (simulated)',
      currency: 'USD',
      leverage: 1000,
      marginMode: 'hedging',
      marginSoCall: 50,
      marginSoSo: 20,
      limitOrders: 200,
    },
    timeOffsetSec: 2 * 3600,
    suffix: 'micro',
    instruments: WITH_METALS,
    contractScale: 0.01,
    // XM's MT5 micro accounts start at 0.1 lot (100 units), up to 100 lots a ticket.
    volume: { min: 0.1, step: 0.01, max: 100 },
    executionMode: 'MARKET',
    commissionPerLotPerSide: 0,
    spreadPoints: { EURUSD: 16, GBPUSD: 20, USDJPY: 18, XAUUSD: 35 },
    stopsLevel: 0,
    freezeLevel: 0,
  },
  {
    id: 'fbs-standard',
    broker: 'FBS',
    accountType: 'Standard',
    sources: [FBS_CONDITIONS, FBS_LEVERAGE],
    toCheck: [
      ...COMMON_CHECKS,
      'leverage falls with equity (1:500 from 5,000 to 29,999 USD, as played here) and metals are fixed at 1:500',
      'the published stop level of each symbol (played as 10 points)',
    ],
    account: {
      server: 'FBS-Demo',
      company: 'FBS (simulated)',
      currency: 'USD',
      leverage: 500,
      marginMode: 'hedging',
      marginSoCall: 40,
      marginSoSo: 20,
      limitOrders: 200,
    },
    timeOffsetSec: 2 * 3600,
    suffix: '',
    instruments: WITH_INDICES,
    contractScale: 1,
    volume: { min: 0.01, step: 0.01, max: 500 },
    executionMode: 'MARKET',
    commissionPerLotPerSide: 0,
    spreadPoints: { EURUSD: 9, GBPUSD: 12, USDJPY: 12, XAUUSD: 30 },
    stopsLevel: 10,
    freezeLevel: 0,
  },
  {
    id: 'fbs-cent',
    broker: 'FBS',
    accountType: 'Cent',
    sources: [FBS_CONDITIONS, FBS_LEVERAGE],
    toCheck: [
      ...COMMON_CHECKS,
      'the cent suffix (played as EURUSDc) and the USC account currency',
      'the value of one cent lot (third-party pages disagree; played as 1,000 units like Exness)',
    ],
    account: {
      server: 'FBS-Real',
      company: 'FBS (simulated)',
      currency: 'USC',
      leverage: 1000,
      marginMode: 'hedging',
      marginSoCall: 40,
      marginSoSo: 20,
      limitOrders: 200,
    },
    timeOffsetSec: 2 * 3600,
    suffix: 'c',
    instruments: WITH_METALS,
    contractScale: 0.01,
    volume: { min: 0.01, step: 0.01, max: 1000 },
    executionMode: 'MARKET',
    commissionPerLotPerSide: 0,
    spreadPoints: { EURUSD: 10, GBPUSD: 12, USDJPY: 12, XAUUSD: 30 },
    stopsLevel: 10,
    freezeLevel: 0,
  },
];

/** A profile by id (`exness-standard`, …), or undefined. */
export function findBrokerProfile(id: string): BrokerProfile | undefined {
  return BROKER_PROFILES.find((p) => p.id === id);
}
