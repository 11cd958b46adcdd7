import { describe, expect, it } from 'vitest';
import { matchBrokerProfile } from './match';

describe('matchBrokerProfile', () => {
  it('tells Exness Raw Spread (3.50 a lot a side) from Standard on the same server by the symbol suffix', () => {
    const raw = matchBrokerProfile({
      server: 'Exness-MT5Trial7',
      currency: 'USD',
      symbols: ['EURUSDr', 'GBPUSDr', 'XAUUSDr'],
    });
    expect(raw?.id).toBe('exness-raw');
    expect(raw?.commissionPerLotPerSide).toBe(3.5);
    const standard = matchBrokerProfile({
      server: 'Exness-MT5Trial',
      currency: 'USD',
      symbols: ['EURUSDm', 'USDJPYm'],
    });
    expect(standard?.id).toBe('exness-standard');
    expect(standard?.commissionPerLotPerSide).toBe(0);
  });

  it('numbers after the server name do not matter; micro and standard XM are told apart by names', () => {
    expect(
      matchBrokerProfile({ server: 'XMGlobal-MT5 6', currency: 'USD', symbols: ['EURUSDmicro'] })?.id,
    ).toBe('xm-micro');
    expect(
      matchBrokerProfile({ server: 'XMGlobal-MT5', currency: 'USD', symbols: ['EURUSD', 'GOLD'] })?.id,
    ).toBe('xm-standard');
  });

  it('answers nothing for an unknown server, another currency, or fits that disagree on commission', () => {
    expect(
      matchBrokerProfile({ server: 'ICMarketsSC-Demo', currency: 'USD', symbols: ['EURUSD'] }),
    ).toBeUndefined();
    expect(
      matchBrokerProfile({ server: 'Exness-MT5Trial', currency: 'EUR', symbols: ['EURUSDr'] }),
    ).toBeUndefined();
    // Standard (0) and Raw Spread (3.50) share the server: with no suffixed name listed, no guess.
    expect(matchBrokerProfile({ server: 'Exness-MT5Trial', currency: 'USD', symbols: [] })).toBeUndefined();
    // Both XM types charge nothing: the server alone is enough.
    expect(
      matchBrokerProfile({ server: 'XMGlobal-MT5 2', currency: 'USD', symbols: [] })?.commissionPerLotPerSide,
    ).toBe(0);
  });
});
