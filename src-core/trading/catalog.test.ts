import { describe, expect, it } from 'vitest';
import { CATALOG_MID_PRICES, SYMBOL_CATALOG, findCatalogSymbol } from './catalog';
import { CalcMode, ExecutionMode, SymbolSpec, type TradeMode } from './symbol-spec';
import { decimalsOf, isMultipleOfStep } from './numbers';

describe('SYMBOL_CATALOG', () => {
  it('holds about 30 valid, uniquely named symbols', () => {
    expect(SYMBOL_CATALOG.length).toBeGreaterThanOrEqual(28);
    expect(new Set(SYMBOL_CATALOG.map((s) => s.name)).size).toBe(SYMBOL_CATALOG.length);
    for (const s of SYMBOL_CATALOG) expect(SymbolSpec.safeParse(s).success).toBe(true);
  });

  it('is internally consistent: point = 10^-digits, tick a multiple of the point, volumes on the step', () => {
    for (const s of SYMBOL_CATALOG) {
      expect(decimalsOf(s.point), s.name).toBe(s.digits);
      expect(isMultipleOfStep(s.tickSize, s.point), s.name).toBe(true);
      expect(isMultipleOfStep(s.volumeMin, s.volumeStep), s.name).toBe(true);
      expect(isMultipleOfStep(s.volumeMax, s.volumeStep), s.name).toBe(true);
      expect(s.volumeMin).toBeLessThanOrEqual(s.volumeMax);
      expect(s.tickValue, `${s.name}: tick value depends on the account currency`).toBeUndefined();
    }
  });

  it('covers every calc mode, execution mode and trade mode', () => {
    const calc = new Set(SYMBOL_CATALOG.map((s) => s.calcMode));
    for (const m of CalcMode.options) expect(calc.has(m), m).toBe(true);
    const exec = new Set(SYMBOL_CATALOG.map((s) => s.executionMode));
    for (const m of ExecutionMode.options) expect(exec.has(m), m).toBe(true);
    const trade = new Set(SYMBOL_CATALOG.map((s) => s.tradeMode));
    for (const m of ['FULL', 'DISABLED', 'LONGONLY', 'CLOSEONLY'] satisfies TradeMode[]) {
      expect(trade.has(m), m).toBe(true);
    }
    expect(SYMBOL_CATALOG.some((s) => s.tickSize > s.point)).toBe(true);
    expect(SYMBOL_CATALOG.some((s) => s.stopsLevel > 0 && s.freezeLevel > 0)).toBe(true);
    expect(findCatalogSymbol('CLF27')?.marginInitial).toBe(6000);
  });

  it('has a mid price on the tick grid for every symbol', () => {
    for (const s of SYMBOL_CATALOG) {
      const mid = CATALOG_MID_PRICES[s.name];
      expect(mid, s.name).toBeGreaterThan(0);
      expect(isMultipleOfStep(mid ?? NaN, s.tickSize), s.name).toBe(true);
    }
  });

  it('keeps the FX crosses consistent with their USD legs (within 0.01%)', () => {
    const p = (n: string): number => CATALOG_MID_PRICES[n] ?? NaN;
    const close = (a: number, b: number): void => {
      expect(Math.abs(a / b - 1)).toBeLessThan(1e-4);
    };
    close(p('EURJPY'), p('EURUSD') * p('USDJPY'));
    close(p('GBPJPY'), p('GBPUSD') * p('USDJPY'));
    close(p('EURGBP'), p('EURUSD') / p('GBPUSD'));
    close(p('AUDJPY'), p('AUDUSD') * p('USDJPY'));
    close(p('CHFJPY'), p('USDJPY') / p('USDCHF'));
    close(p('EURCHF'), p('EURUSD') * p('USDCHF'));
    close(p('EURAUD'), p('EURUSD') / p('AUDUSD'));
    close(p('GBPCHF'), p('GBPUSD') * p('USDCHF'));
  });

  it('finds symbols case-insensitively and answers undefined for unknown names', () => {
    expect(findCatalogSymbol('eurusd')?.name).toBe('EURUSD');
    expect(findCatalogSymbol('EURUSDm')).toBeUndefined();
  });

  it('is frozen so no caller can change the shared specs', () => {
    expect(Object.isFrozen(SYMBOL_CATALOG)).toBe(true);
    expect(Object.isFrozen(SYMBOL_CATALOG[0])).toBe(true);
    expect(Object.isFrozen(CATALOG_MID_PRICES)).toBe(true);
  });
});
