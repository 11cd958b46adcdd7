import type { Clock } from '../../../../src-core/clock';
import type { Logger } from '../../../../src-core/logger';
import type { SettingsStore } from '../../settings';
import type { TradingBridge } from '../../trading-bridge';
import type { MarketData } from '../market-data';

/** What the planners read: live data from the terminal, the settings and the clock. */
export interface PlannerDeps {
  readonly bridge: TradingBridge;
  readonly data: MarketData;
  readonly settings: SettingsStore;
  readonly logger: Logger;
  readonly clock: Clock;
}
