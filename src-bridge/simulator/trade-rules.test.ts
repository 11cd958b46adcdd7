import { describe, expect, it } from 'vitest';
import { findCatalogSymbol } from '../../src-core/trading/catalog';
import { TRADE_RETCODE } from '../../src-core/trading/retcodes';
import type { SymbolSpec } from '../../src-core/trading/symbol-spec';
import {
  fillingDecision,
  isFrozen,
  isTriggered,
  orderTypeName,
  pendingDistance,
  stopDistances,
  stopHit,
  stopsRetcode,
  volumeRetcode,
} from './trade-rules';

function eurusd(overrides: Partial<SymbolSpec> = {}): SymbolSpec {
  const spec = findCatalogSymbol('EURUSD');
  if (spec === undefined) throw new Error('EURUSD missing from the catalog');
  return { ...spec, ...overrides };
}

describe('volumeRetcode', () => {
  it('accepts volumes on the step within [min, max] and refuses the rest with 10014', () => {
    const spec = eurusd();
    expect(volumeRetcode(spec, 0.01)).toBe(0);
    expect(volumeRetcode(spec, 0.07)).toBe(0);
    expect(volumeRetcode(spec, 100)).toBe(0);
    expect(volumeRetcode(spec, 0.005)).toBe(TRADE_RETCODE.INVALID_VOLUME);
    expect(volumeRetcode(spec, 100.01)).toBe(TRADE_RETCODE.INVALID_VOLUME);
    expect(volumeRetcode(spec, 0.015)).toBe(TRADE_RETCODE.INVALID_VOLUME);
  });
});

describe('stopsRetcode', () => {
  it('wants a buy SL below and TP above the reference, at least the stops level away', () => {
    const spec = eurusd({ stopsLevel: 10 });
    expect(stopsRetcode(spec, true, 1.1, 1.09995, undefined)).toBe(TRADE_RETCODE.INVALID_STOPS);
    expect(stopsRetcode(spec, true, 1.1, undefined, 1.10005)).toBe(TRADE_RETCODE.INVALID_STOPS);
    expect(stopsRetcode(spec, true, 1.1, 1.0999, 1.1001)).toBe(0);
    expect(stopsRetcode(spec, true, 1.1, 1.0998, 1.1002)).toBe(0);
    expect(stopsRetcode(spec, true, 1.1, 1.1002, undefined)).toBe(TRADE_RETCODE.INVALID_STOPS);
    expect(stopsRetcode(spec, false, 1.1, 1.1002, 1.0998)).toBe(0);
    expect(stopsRetcode(spec, false, 1.1, 1.0998, 0)).toBe(TRADE_RETCODE.INVALID_STOPS);
    expect(stopsRetcode(spec, true, 1.1, 0, 0)).toBe(0);
  });

  it('refuses SL or TP on a symbol whose order flags do not allow them', () => {
    const spec = eurusd({ orderFlags: 1 });
    expect(stopsRetcode(spec, true, 1.1, 1.09, undefined)).toBe(TRADE_RETCODE.INVALID_STOPS);
    expect(stopsRetcode(spec, true, 1.1, undefined, 1.11)).toBe(TRADE_RETCODE.INVALID_STOPS);
  });
});

describe('isFrozen and stopDistances', () => {
  it('freezes only distances within the freeze level, and never without one', () => {
    const spec = eurusd({ freezeLevel: 5 });
    expect(isFrozen(spec, [0.00005])).toBe(true);
    expect(isFrozen(spec, [0.00006])).toBe(false);
    expect(isFrozen(spec, [0])).toBe(false);
    expect(isFrozen(eurusd(), [0.00001])).toBe(false);
  });

  it('measures a position’s SL and TP from the price it closes at, 0 where there is none', () => {
    expect(stopDistances({ type: 0, sl: 1.099, tp: 0 }, 1.1)).toEqual([expect.closeTo(0.001, 10), 0]);
    expect(stopDistances({ type: 1, sl: 1.101, tp: 1.098 }, 1.1)).toEqual([
      expect.closeTo(0.001, 10),
      expect.closeTo(0.002, 10),
    ]);
  });
});

describe('pendingDistance', () => {
  it('is positive only on the side of the market where the order type is valid', () => {
    const bid = 1.1;
    const ask = 1.1002;
    expect(pendingDistance('BUY_LIMIT', 1.1, bid, ask)).toBeGreaterThan(0);
    expect(pendingDistance('BUY_LIMIT', 1.101, bid, ask)).toBeLessThan(0);
    expect(pendingDistance('SELL_LIMIT', 1.101, bid, ask)).toBeGreaterThan(0);
    expect(pendingDistance('BUY_STOP', 1.101, bid, ask)).toBeGreaterThan(0);
    expect(pendingDistance('BUY_STOP_LIMIT', 1.1, bid, ask)).toBeLessThan(0);
    expect(pendingDistance('SELL_STOP', 1.099, bid, ask)).toBeGreaterThan(0);
    expect(pendingDistance('SELL_STOP_LIMIT', 1.101, bid, ask)).toBeLessThan(0);
    expect(pendingDistance('BUY', 1.1, bid, ask)).toBe(-1);
  });
});

describe('fillingDecision', () => {
  it('market execution: FOK or IOC as flagged, RETURN only when no flag is set', () => {
    expect(fillingDecision(eurusd({ fillingFlags: 1 }), undefined, false, false)).toEqual({
      ok: true,
      mode: 'FOK',
    });
    expect(fillingDecision(eurusd({ fillingFlags: 2 }), 'FOK', false, false)).toEqual({
      ok: false,
      retcode: TRADE_RETCODE.INVALID_FILL,
    });
    expect(fillingDecision(eurusd({ fillingFlags: 2 }), 'IOC', false, false)).toEqual({
      ok: true,
      mode: 'IOC',
    });
    expect(fillingDecision(eurusd({ fillingFlags: 3 }), 'RETURN', false, false).ok).toBe(false);
    expect(fillingDecision(eurusd({ fillingFlags: 0 }), 'RETURN', false, false)).toEqual({
      ok: true,
      mode: 'RETURN',
    });
  });

  it('instant execution takes FOK whatever the flags; pending orders take RETURN, BOC only on limits', () => {
    expect(
      fillingDecision(eurusd({ executionMode: 'INSTANT', fillingFlags: 2 }), 'FOK', false, false).ok,
    ).toBe(true);
    expect(fillingDecision(eurusd(), undefined, true, false)).toEqual({ ok: true, mode: 'RETURN' });
    expect(fillingDecision(eurusd({ fillingFlags: 7 }), 'BOC', true, true)).toEqual({
      ok: true,
      mode: 'BOC',
    });
    expect(fillingDecision(eurusd({ fillingFlags: 7 }), 'BOC', true, false).ok).toBe(false);
  });
});

describe('isTriggered and stopHit', () => {
  it('triggers limits at or better than their price and stops at or beyond it', () => {
    expect(isTriggered('BUY_LIMIT', 1.1, 1.0998, 1.1)).toBe(true);
    expect(isTriggered('BUY_LIMIT', 1.1, 1.0999, 1.1001)).toBe(false);
    expect(isTriggered('SELL_LIMIT', 1.1, 1.1, 1.1002)).toBe(true);
    expect(isTriggered('BUY_STOP', 1.1, 1.0998, 1.1)).toBe(true);
    expect(isTriggered('BUY_STOP_LIMIT', 1.1, 1.0997, 1.0999)).toBe(false);
    expect(isTriggered('SELL_STOP', 1.1, 1.1, 1.1002)).toBe(true);
    expect(isTriggered('SELL_STOP_LIMIT', 1.1, 1.1001, 1.1003)).toBe(false);
    expect(isTriggered('BUY', 1.1, 1.1, 1.1)).toBe(false);
  });

  it('names the stop the close price reached, SL first', () => {
    expect(stopHit({ type: 0, sl: 1.09, tp: 1.11 }, 1.09)).toBe('sl');
    expect(stopHit({ type: 0, sl: 1.09, tp: 1.11 }, 1.11)).toBe('tp');
    expect(stopHit({ type: 0, sl: 1.09, tp: 1.11 }, 1.1)).toBeUndefined();
    expect(stopHit({ type: 1, sl: 1.11, tp: 1.09 }, 1.11)).toBe('sl');
    expect(stopHit({ type: 1, sl: 0, tp: 1.09 }, 1.08)).toBe('tp');
    expect(stopHit({ type: 1, sl: 0, tp: 0 }, 1.08)).toBeUndefined();
  });
});

describe('orderTypeName', () => {
  it('maps ENUM_ORDER_TYPE values to names, BUY for anything unknown', () => {
    expect(orderTypeName(0)).toBe('BUY');
    expect(orderTypeName(3)).toBe('SELL_LIMIT');
    expect(orderTypeName(7)).toBe('SELL_STOP_LIMIT');
    expect(orderTypeName(8)).toBe('BUY');
  });
});
