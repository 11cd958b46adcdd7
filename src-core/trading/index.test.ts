import { describe, expect, it } from 'vitest';
import * as trading from './index';

describe('trading barrel', () => {
  it('exposes every module without a name clash', () => {
    for (const name of [
      'SymbolSpec',
      'OutcomeClass',
      'normalizePrice',
      'SYMBOL_CATALOG',
      'retcodeInfo',
      'conversionRate',
      'calculateMargin',
      'calculateProfit',
      'calculatePositionSize',
      'PositionSizeInput',
      'fillingCandidates',
      'checkOrder',
      'checkModification',
      'RiskLimits',
      'checkRiskLimits',
    ]) {
      expect(trading, name).toHaveProperty(name);
    }
  });
});
