/**
 * Brokers decorate instrument names per account type: Exness `EURUSDm` (Standard) and `EURUSDc` (Standard Cent),
 * `EURUSD.pro`, `EURUSD#`, `EURUSD-ECN`, `#AAPL`. A watchlist or setting saved on one account must find the same
 * instrument on another, so names are compared by their undecorated core. See docs/broker-profiles.md.
 */

/** Characters brokers put between the instrument and an account-type suffix, or in front of a share CFD. */
const SEPARATORS = /[._#+\-!$]/;

/**
 * The undecorated instrument of a broker's symbol name: `EURUSDm` → `EURUSD`, `XAUUSD.pro` → `XAUUSD`,
 * `US30-ECN` → `US30`, `#AAPL` → `AAPL`. A name with nothing to strip is returned as is (upper-cased).
 * Only the shape of the name is read, so a name like `UKOil` comes back as `UKO`: use {@link resolveSymbolName},
 * which matches cores both ways and refuses ambiguity, rather than showing this.
 */
export function instrumentCore(name: string): string {
  let core = name.replace(/^[#.$!]+/, '');
  const separator = core.slice(1).search(SEPARATORS);
  if (separator >= 0) core = core.slice(0, separator + 1);
  // A short lower-case tail after an upper-case core is an account-type suffix (m, c, r, pro, ecn, micro).
  const tail = /^([A-Z0-9]{3,})([a-z]{1,5})$/.exec(core);
  if (tail?.[1] !== undefined) core = tail[1];
  return core.toUpperCase();
}

/**
 * The broker's name for an instrument named on another account: the exact name when the broker lists it, else
 * the one listed name with the same core (`EURUSD` → `EURUSDm`). Undefined when none matches or when several do
 * (`EURUSDm` and `EURUSD.pro` both listed): guessing between two account types' symbols could trade the wrong
 * one.
 */
export function resolveSymbolName(wanted: string, listed: readonly string[]): string | undefined {
  if (listed.includes(wanted)) return wanted;
  const core = instrumentCore(wanted);
  const matches = listed.filter((name) => instrumentCore(name) === core);
  return matches.length === 1 ? matches[0] : undefined;
}
