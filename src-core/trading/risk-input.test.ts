import { describe, expect, it } from 'vitest';
import { convertRiskValue } from './risk-input';

const convert = (
  value: number,
  from: 'percent' | 'money',
  to: 'percent' | 'money',
  base: number,
  digits = 2,
) => convertRiskValue({ value, from, to, base, currencyDigits: digits });

describe('convertRiskValue: switching "risk as" keeps the risk', () => {
  it('money → percent: 150 USD of 10,000 is 1.5 %, never 150 %', () => {
    expect(convert(150, 'money', 'percent', 10_000)).toBe(1.5);
    expect(convert(333, 'money', 'percent', 9_000)).toBe(3.7);
    expect(convert(100, 'money', 'percent', 300)).toBe(33.33);
  });
  it('percent → money rounds down to the currency decimals, as sizing does', () => {
    expect(convert(1.5, 'percent', 'money', 10_000)).toBe(150);
    // 1 % of 9,876.54 = 98.7654 → 98.76
    expect(convert(1, 'percent', 'money', 9_876.54)).toBe(98.76);
    // A JPY account has 0 decimals: 1.5 % of 1,234,567 = 18,518.505 → 18,518
    expect(convert(1.5, 'percent', 'money', 1_234_567, 0)).toBe(18_518);
  });
  it('keeps the value for the same mode and gives null without a base', () => {
    expect(convert(2, 'percent', 'percent', 0)).toBe(2);
    expect(convert(150, 'money', 'percent', 0)).toBeNull();
    expect(convert(150, 'money', 'percent', Number.NaN)).toBeNull();
    expect(convert(Number.POSITIVE_INFINITY, 'money', 'percent', 10_000)).toBeNull();
    expect(convert(1e308, 'percent', 'money', 1e308)).toBe(Number.POSITIVE_INFINITY);
  });
});
