import { describe, expect, it } from 'vitest';
import {
  currencyDecimals,
  formatMoney,
  formatPercent,
  formatPips,
  formatPrice,
  formatRewardRisk,
  formatSignedMoney,
  formatVolume,
  parseNumber,
  splitPrice,
  spreadPoints,
  formatTypedVolume,
} from './format';

describe('formatPrice', () => {
  it('keeps the trailing zeros a quote has', () => {
    expect(formatPrice(1.085, 5)).toBe('1.08500');
    expect(formatPrice(150, 3)).toBe('150.000');
    expect(formatPrice(2345.6, 2)).toBe('2345.60');
  });
  it('shows a dash when there is no price', () => {
    expect(formatPrice(null, 5)).toBe('—');
    expect(formatPrice(Number.NaN, 5)).toBe('—');
  });
});

describe('splitPrice', () => {
  it('emphasises the pips and leaves the fractional pip small on 5- and 3-digit quotes', () => {
    expect(splitPrice(1.08523, 5)).toEqual({ head: '1.08', big: '52', tail: '3' });
    expect(splitPrice(157.412, 3)).toEqual({ head: '157.', big: '41', tail: '2' });
  });
  it('emphasises the last two digits elsewhere', () => {
    expect(splitPrice(2345.67, 2)).toEqual({ head: '2345.', big: '67', tail: '' });
    expect(splitPrice(5, 0)).toEqual({ head: '', big: '5', tail: '' });
  });
  it('puts the whole text back together', () => {
    const p = splitPrice(0.65481, 5);
    expect(p.head + p.big + p.tail).toBe('0.65481');
  });
});

describe('money', () => {
  it('groups thousands and uses the currency decimals', () => {
    expect(formatMoney(1234567.5, 'USD')).toBe('1,234,567.50\u00a0USD');
    expect(formatMoney(-1234.5, 'USD')).toBe('-1,234.50\u00a0USD');
    expect(formatMoney(1234567.4, 'JPY')).toBe('1,234,567\u00a0JPY');
    expect(formatMoney(999.999)).toBe('1,000.00');
    expect(currencyDecimals('KWD')).toBe(3);
  });
  it('signs profit and keeps zero unsigned', () => {
    expect(formatSignedMoney(12.3)).toBe('+12.30');
    expect(formatSignedMoney(-4)).toBe('-4.00');
    expect(formatSignedMoney(0)).toBe('0.00');
    expect(formatSignedMoney(-0)).toBe('0.00');
  });
});

describe('volumes, pips, percent, spread, R:R', () => {
  it('formats each with its own precision', () => {
    expect(formatVolume(0.1)).toBe('0.10');
    expect(formatVolume(3, 1)).toBe('3');
    expect(formatVolume(0.123, 0.001)).toBe('0.123');
    expect(formatPips(15)).toBe('15.0');
    expect(formatPercent(4998)).toBe('4,998.00%');
    expect(formatPercent(null)).toBe('—');
    expect(spreadPoints(1.08514, 1.08522, 0.00001)).toBe(8);
    expect(formatRewardRisk(50, 125)).toBe('1\u00a0:\u00a02.50');
    expect(formatRewardRisk(0, 125)).toBe('—');
    expect(formatRewardRisk(null, 10)).toBe('—');
  });
});

describe('parseNumber', () => {
  it('reads what people type, including a decimal comma', () => {
    expect(parseNumber('0.10')).toBe(0.1);
    expect(parseNumber(' 0,5 ')).toBe(0.5);
    expect(parseNumber('.5')).toBe(0.5);
    expect(parseNumber('1.')).toBe(1);
    expect(parseNumber('-3')).toBe(-3);
  });
  it('tells empty and garbage apart from zero', () => {
    expect(parseNumber('')).toBeNull();
    expect(parseNumber('   ')).toBeNull();
    expect(parseNumber('abc')).toBeNull();
    expect(parseNumber('1.2.3')).toBeNull();
    expect(parseNumber('0x10')).toBeNull();
    expect(parseNumber('0')).toBe(0);
  });
});

describe('typed volumes in words', () => {
  it('never shows 0.001 lots as 0.00', () => {
    expect(formatTypedVolume(0.001, 0.01)).toBe('0.001');
    expect(formatTypedVolume(0.2, 0.01)).toBe('0.20');
    expect(formatTypedVolume(null)).toBe('');
  });
});
