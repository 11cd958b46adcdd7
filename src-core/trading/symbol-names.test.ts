import { describe, expect, it } from 'vitest';
import { instrumentCore, resolveSymbolName } from './symbol-names';

describe('instrumentCore', () => {
  it.each([
    ['EURUSD', 'EURUSD'],
    ['EURUSDm', 'EURUSD'],
    ['EURUSDc', 'EURUSD'],
    ['XAUUSDz', 'XAUUSD'],
    ['EURUSD.pro', 'EURUSD'],
    ['EURUSD#', 'EURUSD'],
    ['EURUSD-ECN', 'EURUSD'],
    ['GBPJPY_i', 'GBPJPY'],
    ['US30m', 'US30'],
    ['EURUSDmicro', 'EURUSD'],
    ['#AAPL', 'AAPL'],
    ['USTEC', 'USTEC'],
    ['eurusd', 'EURUSD'],
  ])('%s → %s', (name, core) => {
    expect(instrumentCore(name)).toBe(core);
  });
});

describe('resolveSymbolName', () => {
  const exnessStandard = ['EURUSDm', 'GBPUSDm', 'USDJPYm', 'XAUUSDm', 'US30m'];

  it('prefers the exact name', () => {
    expect(resolveSymbolName('EURUSD', ['EURUSD', 'EURUSDm'])).toBe('EURUSD');
  });

  it('finds the suffixed symbol of another account type', () => {
    expect(resolveSymbolName('EURUSD', exnessStandard)).toBe('EURUSDm');
    expect(resolveSymbolName('XAUUSD.pro', exnessStandard)).toBe('XAUUSDm');
    expect(resolveSymbolName('EURUSDc', ['EURUSD.', 'GBPUSD.'])).toBe('EURUSD.');
  });

  it('answers nothing when the broker lacks it', () => {
    expect(resolveSymbolName('BTCUSD', exnessStandard)).toBeUndefined();
  });

  it('refuses to guess between two account types of the same instrument', () => {
    expect(resolveSymbolName('EURUSD', ['EURUSDm', 'EURUSD.pro'])).toBeUndefined();
  });

  it('does not match a different instrument that shares a prefix', () => {
    expect(resolveSymbolName('US30', ['US300m', 'US30Cashm'])).toBeUndefined();
    expect(resolveSymbolName('EURUSD', ['EURUSDX'])).toBeUndefined();
  });
});
