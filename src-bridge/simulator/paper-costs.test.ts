import { describe, expect, it } from 'vitest';
import { findCatalogSymbol } from '../../src-core/trading/catalog';
import type { SymbolSpec } from '../../src-core/trading/symbol-spec';
import { DEAL_REASON } from '../protocol/enums';
import { TradeServer } from './trade-server';
import type { TradeParams } from './trade-state';

/**
 * Commission and the adverse slippage model (the paper account's costs, docs/paper-trading.md "Costs"), on the
 * trade server alone with hand-computed figures: EURUSD, 5 digits, point 0.00001, 100,000 per lot, USD account.
 */

const EURUSD = findCatalogSymbol('EURUSD') as SymbolSpec;

function server(costs: { commission?: number; slippage?: number }): TradeServer {
  const s = new TradeServer({
    account: {
      login: '1',
      server: 'S',
      currency: 'USD',
      leverage: 100,
      marginMode: 'hedging',
      balance: 10_000,
      tradeMode: 'demo',
      name: 'T',
    },
    symbols: [{ ...EURUSD, executionMode: 'MARKET' }],
    clock: { now: () => 1_700_000_000_000 },
    ...(costs.commission === undefined ? {} : { commissionPerLotPerSide: costs.commission }),
    ...(costs.slippage === undefined ? {} : { adverseSlippagePoints: costs.slippage }),
  });
  s.setQuote('EURUSD', 1.1, 1.10002);
  return s;
}

let seq = 0;
const base = (): Pick<TradeParams, 'clOrdId' | 'magic'> => {
  seq += 1;
  return { clOrdId: `c${String(seq)}`, magic: '0' };
};
const market = (orderType: 'BUY' | 'SELL', volume: number, extra: object = {}): TradeParams => ({
  ...base(),
  action: 'DEAL',
  symbol: 'EURUSD',
  orderType,
  volume,
  ...extra,
});
const pending = (orderType: string, price: number, extra: object = {}): TradeParams =>
  ({
    ...base(),
    action: 'PENDING',
    symbol: 'EURUSD',
    orderType,
    volume: 0.1,
    price,
    ...extra,
  }) as TradeParams;

describe('paper costs on the trade server', () => {
  it('charges commission per lot per side on entry and exit: 0.3 lot at 3.50 → −1.05 twice', () => {
    const s = server({ commission: 3.5 });
    expect(s.send(market('BUY', 0.3), 'FOK').retcode).toBe(10009);
    const ticket = s.positions()[0]?.ticket ?? '';
    s.setQuote('EURUSD', 1.1001, 1.10012);
    expect(s.send(market('SELL', 0.3, { position: ticket }), 'FOK').retcode).toBe(10009);
    const trades = s.deals().filter((d) => d.type === 0 || d.type === 1);
    expect(trades.map((d) => [d.price, d.commission, d.profit])).toEqual([
      [1.10002, -1.05, 0],
      // Bought at 1.10002, sold at 1.10010: 8 points × 0.3 lot × 1 USD a point a lot = 2.40.
      [1.1001, -1.05, 2.4],
    ]);
    // 10,000 + 2.40 − 1.05 − 1.05 = 10,000.30
    expect(s.account().balance).toBe(10_000.3);
  });

  it('slips market orders and closes 3 points against the trader', () => {
    const s = server({ slippage: 3 });
    const buy = s.send(market('BUY', 0.1), 'FOK');
    // Ask 1.10002 + 3 points = 1.10005.
    expect(buy).toMatchObject({ retcode: 10009, price: 1.10005 });
    const sell = s.send(market('SELL', 0.1), 'FOK');
    // Bid 1.10000 − 3 points = 1.09997.
    expect(sell).toMatchObject({ retcode: 10009, price: 1.09997 });
    const long = s.positions().find((p) => p.type === 0);
    s.send(market('SELL', 0.1, { position: long?.ticket }), 'FOK');
    // Closing the buy sells at bid − 3: 1.09997; 8 points lost on 0.1 lot = −0.80.
    expect(s.deals().at(-1)).toMatchObject({ price: 1.09997, profit: -0.8 });
  });

  it('slips stop orders and stop losses when they trigger, never limit orders or take-profits', () => {
    const s = server({ slippage: 2 });
    expect(s.send(pending('BUY_STOP', 1.1005), 'FOK').retcode).toBe(10008);
    expect(s.send(pending('BUY_LIMIT', 1.0995), 'FOK').retcode).toBe(10008);
    // The buy stop triggers at ask 1.10050 and fills 2 points higher.
    s.setQuote('EURUSD', 1.10048, 1.1005);
    expect(s.deals().at(-1)).toMatchObject({ price: 1.10052, reason: DEAL_REASON.EXPERT });
    // The buy limit fills at its price, 1.09950, though the ask fell to 1.09940.
    s.setQuote('EURUSD', 1.09938, 1.0994);
    expect(s.deals().at(-1)).toMatchObject({ price: 1.0995, reason: DEAL_REASON.EXPERT });

    const sl = server({ slippage: 2 });
    sl.send(market('BUY', 0.1, { sl: 1.099, tp: 1.102 }), 'FOK');
    sl.send(market('BUY', 0.1, { tp: 1.101 }), 'FOK');
    // The SL at 1.09900 is hit at bid 1.09900; the closing sell fills 2 points lower, 1.09898.
    sl.setQuote('EURUSD', 1.099, 1.09902);
    expect(sl.deals().at(-1)).toMatchObject({ price: 1.09898, reason: DEAL_REASON.SL });
    // The TP at 1.10100 is hit at bid 1.10100 and fills there.
    sl.setQuote('EURUSD', 1.101, 1.10102);
    expect(sl.deals().at(-1)).toMatchObject({ price: 1.101, reason: DEAL_REASON.TP });
  });

  it('takes new costs for the deals that follow, and OrderCheck never slips', () => {
    const s = server({});
    s.setAdverseSlippagePoints(5);
    s.setCommissionPerLotPerSide(7);
    expect(s.check(market('BUY', 0.1), 'FOK').retcode).toBe(0);
    expect(s.send(market('BUY', 0.1), 'FOK')).toMatchObject({ price: 1.10007 });
    expect(s.deals().at(-1)?.commission).toBe(-0.7);
  });
});
