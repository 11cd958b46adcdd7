import type { BrokerProfile } from './broker-profile';
import { brokerSymbol } from './broker-profile';
import { BROKER_PROFILES } from './profiles';

/** What is known of a live account when a paper account opens on it. */
export interface LiveAccountShape {
  /** The trade server's name as the terminal reports it (`Exness-MT5Trial7`). */
  readonly server: string;
  readonly currency: string;
  /** Symbol names the terminal lists (its Market Watch). */
  readonly symbols: readonly string[];
}

/** A server name without the number brokers give each of their servers (`Exness-MT5Trial7`, `XMGlobal-MT5 3`). */
const serverFamily = (name: string): string => name.replace(/[\s\d]+$/, '').toLowerCase();

/**
 * The broker profile a live account most likely is: the same server family and account currency, and among those
 * the one whose suffixed symbol names (`EURUSDm`, `EURUSDmicro`) the terminal lists most. Undefined when none fits,
 * or when the best fits disagree on commission (so a caller never charges a guessed figure). See
 * docs/paper-trading.md, "Costs".
 */
export function matchBrokerProfile(
  live: LiveAccountShape,
  profiles: readonly BrokerProfile[] = BROKER_PROFILES,
): BrokerProfile | undefined {
  const family = serverFamily(live.server);
  const candidates = profiles.filter(
    (p) => serverFamily(p.account.server) === family && p.account.currency === live.currency,
  );
  const listed = new Set(live.symbols);
  const score = (p: BrokerProfile): number =>
    p.instruments.filter((i) => listed.has(brokerSymbol(p, i))).length;
  const best = Math.max(0, ...candidates.map(score));
  const fits = best > 0 ? candidates.filter((p) => score(p) === best) : candidates;
  const first = fits[0];
  if (first === undefined) return undefined;
  return fits.every((p) => p.commissionPerLotPerSide === first.commissionPerLotPerSide) ? first : undefined;
}
