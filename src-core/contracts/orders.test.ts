import { describe, expect, it } from 'vitest';
import { JournalEntry, JournalQuery } from './journal';
import {
  CancelOrder,
  CloseAll,
  ClosePosition,
  ExecutionResult,
  ModifyOrder,
  ModifyPosition,
  OpenMarketOrder,
  PlacePendingOrder,
  TradeIntent,
  toOrderAnswer,
} from './orders';

describe('order contracts', () => {
  it('accept what the ticket sends', () => {
    expect(
      OpenMarketOrder.parse({
        symbol: 'EURUSDm',
        side: 'buy',
        volume: 0.1,
        sl: { pips: 20 },
        tp: { price: 1.09 },
        deviation: 10,
        comment: 'scalp',
        requestKey: 'click-1',
        origin: 'remote',
      }),
    ).toMatchObject({ symbol: 'EURUSDm', sl: { pips: 20 } });
    expect(
      PlacePendingOrder.parse({
        symbol: 'XAUUSD',
        kind: 'sell_stop',
        price: 2300.5,
        volume: 1,
        expiration: 1,
      }),
    ).toBeTruthy();
    expect(ModifyPosition.parse({ ticket: '123', sl: null, tp: { pips: 5 } })).toEqual({
      ticket: '123',
      sl: null,
      tp: { pips: 5 },
    });
    expect(ModifyOrder.parse({ ticket: '9', expiration: null })).toEqual({ ticket: '9', expiration: null });
    expect(ClosePosition.parse({ ticket: '18446744073709551615', volume: 0.05 })).toBeTruthy();
    expect(CloseAll.parse({})).toEqual({});
    expect(CancelOrder.parse({ ticket: '1' })).toEqual({ ticket: '1' });
    expect(TradeIntent.parse({ operation: 'close_all', input: { symbol: 'EURUSD' } })).toBeTruthy();
  });

  it.each([
    ['a negative volume', OpenMarketOrder, { symbol: 'EURUSD', side: 'buy', volume: -1 }],
    ['an unknown side', OpenMarketOrder, { symbol: 'EURUSD', side: 'long', volume: 1 }],
    [
      'a stop with both price and pips',
      OpenMarketOrder,
      { symbol: 'EURUSD', side: 'buy', volume: 1, sl: { price: 1, pips: 2 } },
    ],
    ['an unknown field', OpenMarketOrder, { symbol: 'EURUSD', side: 'buy', volume: 1, magic: 5 }],
    ['a non-ASCII comment', OpenMarketOrder, { symbol: 'EURUSD', side: 'buy', volume: 1, comment: 'héllo' }],
    ['an empty symbol', OpenMarketOrder, { symbol: '', side: 'buy', volume: 1 }],
    [
      'a stop-limit kind',
      PlacePendingOrder,
      { symbol: 'EURUSD', kind: 'buy_stop_limit', price: 1, volume: 1 },
    ],
    ['a numeric ticket', ModifyPosition, { ticket: 123 }],
    ['a ticket with letters', ClosePosition, { ticket: '12a' }],
    ['a bad origin', CancelOrder, { ticket: '1', origin: 'cloud' }],
    ['a too long request key', CloseAll, { requestKey: 'x'.repeat(65) }],
  ])('refuse %s', (_name, schema, input) => {
    expect(schema.safeParse(input).success).toBe(false);
  });

  it('results are one of two shapes', () => {
    expect(ExecutionResult.parse({ ok: false, code: 'NOT_CONNECTED', message: 'm' })).toBeTruthy();
    expect(
      ExecutionResult.parse({
        ok: true,
        clientOrderId: 'P1',
        entryId: 'e',
        operation: 'open_market',
        message: 'Bought',
      }),
    ).toBeTruthy();
    expect(ExecutionResult.safeParse({ ok: false, code: 'lower case', message: 'm' }).success).toBe(false);
    expect(ExecutionResult.safeParse({ ok: true, message: 'no ids' }).success).toBe(false);
    expect(ExecutionResult.safeParse({ ok: false, code: 'NOT_LISTED', message: 'm' }).success).toBe(false);
  });

  it('an execution result becomes one Result layer for IPC', () => {
    const done = { clientOrderId: 'P1', entryId: 'e', operation: 'open_market', message: 'Bought' } as const;
    expect(toOrderAnswer({ ok: true, ...done })).toEqual({ ok: true, value: done });
    const refused = {
      code: 'MAX_LOT_SIZE_EXCEEDED',
      message: 'Above 10 lots.',
      clientOrderId: 'P2',
      entryId: 'e2',
      details: { maxLotSize: 10 },
    } as const;
    expect(toOrderAnswer({ ok: false, ...refused })).toEqual({ ok: false, error: refused });
  });

  it('journal queries are bounded', () => {
    expect(JournalQuery.parse({})).toEqual({ limit: 50 });
    expect(JournalQuery.safeParse({ limit: 501 }).success).toBe(false);
    expect(JournalQuery.safeParse({ states: ['lost'] }).success).toBe(false);
    expect(JournalEntry.safeParse({ id: 'x' }).success).toBe(false);
  });
});
