import { describe, expect, it } from 'vitest';
import { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import { resolveSymbolName } from '../../../src-core/trading/symbol-names';
import { BROKER_PROFILES, findBrokerProfile } from './profiles';
import { brokerSimOptions } from './broker-profile';

function profile(id: string) {
  const found = findBrokerProfile(id);
  if (found === undefined) throw new Error(`no profile ${id}`);
  return found;
}

describe('broker profiles', () => {
  it.each(BROKER_PROFILES.map((p) => [p.id, p] as const))('%s dresses valid symbol specs', (_id, p) => {
    const options = brokerSimOptions(p);
    expect(options.symbols).toHaveLength(p.instruments.length);
    for (const spec of options.symbols) {
      expect(SymbolSpec.parse(spec)).toEqual(spec);
      expect(spec.name.endsWith(p.suffix)).toBe(true);
      expect(options.mids[spec.name]).toBeGreaterThan(0);
      expect(spec.volumeMin).toBe(p.volume.min);
    }
    expect(p.sources.length).toBeGreaterThan(0);
    expect(p.toCheck.length).toBeGreaterThan(0);
  });

  it('plays cent and micro accounts with a hundredth of the contract', () => {
    const cent = brokerSimOptions(profile('exness-cent'));
    const eurusd = cent.symbols.find((s) => s.name === 'EURUSDc');
    expect(eurusd?.contractSize).toBe(1_000);
    expect(cent.symbols.find((s) => s.name === 'XAUUSDc')?.contractSize).toBe(1);
    expect(cent.account.currency).toBe('USC');
    const micro = brokerSimOptions(profile('xm-micro'));
    expect(micro.symbols.find((s) => s.name === 'EURUSDmicro')?.volumeMin).toBe(0.1);
  });

  it("every profile's names resolve from the plain instrument name, as a saved watchlist does", () => {
    for (const p of BROKER_PROFILES) {
      const names = brokerSimOptions(p).symbols.map((s) => s.name);
      for (const instrument of p.instruments) {
        expect(resolveSymbolName(instrument, names)).toBe(instrument + p.suffix);
      }
    }
  });

  it('ids are unique', () => {
    expect(new Set(BROKER_PROFILES.map((p) => p.id)).size).toBe(BROKER_PROFILES.length);
  });
});
