import { CATALOG_MID_PRICES, findCatalogSymbol } from '../../../src-core/trading/catalog';
import {
  SYMBOL_FILLING_FLAG as FILL,
  SymbolSpec,
  type ExecutionMode,
} from '../../../src-core/trading/symbol-spec';
import type { SimAccountConfig } from '../trade-server';

/**
 * A broker account type as the simulator plays it: the account's rules and how the broker dresses the catalog's
 * instruments (suffix, contract size, volumes, spreads, stops and freeze levels, execution, commission). Figures
 * come from the brokers' public pages, cited in `sources`; what could not be confirmed there is listed in
 * `toCheck` and in docs/broker-profiles.md. No broker can be reached from here: a profile stands in for a demo.
 */
export interface BrokerProfile {
  readonly id: string;
  readonly broker: 'Exness' | 'XM' | 'FBS';
  readonly accountType: string;
  /** Public pages the figures come from. */
  readonly sources: readonly string[];
  /** What a person must still check on the real demo account. */
  readonly toCheck: readonly string[];
  readonly account: Omit<SimAccountConfig, 'login' | 'balance' | 'marginMode'> & {
    readonly marginMode: SimAccountConfig['marginMode'];
  };
  /** The trade server's clock minus UTC, seconds (winter time; brokers on EET shift by an hour in summer). */
  readonly timeOffsetSec: number;
  /** Appended to every instrument name (`m` → `EURUSDm`). */
  readonly suffix: string;
  /** Catalog instruments this account lists. */
  readonly instruments: readonly string[];
  /**
   * The catalog's contract sizes times this: 1 on standard accounts; 0.01 on micro and cent accounts, where one lot
   * of EURUSD is 1,000 EUR and one lot of gold is 1 oz (docs/broker-profiles.md, "Cent and micro accounts").
   */
  readonly contractScale: number;
  readonly volume: { readonly min: number; readonly step: number; readonly max: number };
  readonly executionMode: ExecutionMode;
  /** Commission per lot per side, in the account currency (0: the broker earns on the spread). */
  readonly commissionPerLotPerSide: number;
  /** Typical spread in points per instrument (catalog spread where absent). */
  readonly spreadPoints: Readonly<Record<string, number>>;
  /** Stops level in points (SYMBOL_TRADE_STOPS_LEVEL) for every instrument. */
  readonly stopsLevel: number;
  /** Freeze level in points (SYMBOL_TRADE_FREEZE_LEVEL) for every instrument. */
  readonly freezeLevel: number;
}

/** The simulator options a profile sets (see simulator.ts). */
export interface BrokerSimOptions {
  readonly account: Partial<SimAccountConfig>;
  readonly symbols: readonly SymbolSpec[];
  readonly mids: Readonly<Record<string, number>>;
  readonly timeOffsetSec: number;
  readonly commissionPerLotPerSide: number;
}

/** The broker's symbol name for a catalog instrument. */
export function brokerSymbol(profile: BrokerProfile, instrument: string): string {
  return instrument + profile.suffix;
}

/** Dresses the catalog's instruments as this broker lists them, and sets its account rules. */
export function brokerSimOptions(profile: BrokerProfile): BrokerSimOptions {
  const symbols: SymbolSpec[] = [];
  const mids: Record<string, number> = {};
  for (const instrument of profile.instruments) {
    const base = findCatalogSymbol(instrument);
    if (base === undefined)
      throw new Error(`broker profile ${profile.id}: ${instrument} is not in the catalog`);
    const name = brokerSymbol(profile, instrument);
    symbols.push(
      SymbolSpec.parse({
        ...base,
        name,
        contractSize: base.contractSize * profile.contractScale,
        volumeMin: profile.volume.min,
        volumeStep: profile.volume.step,
        volumeMax: profile.volume.max,
        executionMode: profile.executionMode,
        // MT5 market execution takes FOK or IOC; instant execution fills all or nothing (docs/bridge-protocol.md).
        fillingFlags: profile.executionMode === 'INSTANT' ? FILL.FOK : FILL.FOK | FILL.IOC,
        spreadPoints: profile.spreadPoints[instrument] ?? base.spreadPoints,
        stopsLevel: profile.stopsLevel,
        freezeLevel: profile.freezeLevel,
      }),
    );
    const mid = CATALOG_MID_PRICES[instrument];
    if (mid !== undefined) mids[name] = mid;
  }
  return {
    account: { ...profile.account, marginMode: profile.account.marginMode },
    symbols,
    mids,
    timeOffsetSec: profile.timeOffsetSec,
    commissionPerLotPerSide: profile.commissionPerLotPerSide,
  };
}
