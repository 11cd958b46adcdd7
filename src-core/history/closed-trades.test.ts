import { describe, expect, it } from 'vitest';
import { closedTrades, tradePips, type ClosedTrade } from './closed-trades';
import type { Deal } from './deal';

let nextTicket = 1000;
const deal = (
  d: Partial<Deal> & Pick<Deal, 'positionId' | 'kind' | 'entry' | 'volume' | 'price' | 'timeMs'>,
): Deal => ({
  ticket: String(nextTicket++),
  order: '0',
  symbol: 'EURUSD',
  reason: 'expert',
  profit: 0,
  swap: 0,
  commission: 0,
  magic: '0',
  comment: '',
  ...d,
});

type Row = Pick<
  ClosedTrade,
  | 'positionId'
  | 'side'
  | 'volume'
  | 'openPrice'
  | 'closePrice'
  | 'reason'
  | 'isPartial'
  | 'commission'
  | 'net'
>;
const pick = (t: ClosedTrade): Row => ({
  positionId: t.positionId,
  side: t.side,
  volume: t.volume,
  openPrice: t.openPrice === null ? null : Math.round(t.openPrice * 1e6) / 1e6,
  closePrice: t.closePrice,
  reason: t.reason,
  isPartial: t.isPartial,
  commission: t.commission,
  net: t.net,
});

const cases: readonly { name: string; deals: Deal[]; rows: Row[] }[] = [
  {
    name: 'hedging: a buy closed by its stop loss',
    deals: [
      deal({
        positionId: 'P1',
        kind: 'buy',
        entry: 'in',
        volume: 0.2,
        price: 1.1,
        timeMs: 1,
        commission: -1.4,
      }),
      deal({
        positionId: 'P1',
        kind: 'sell',
        entry: 'out',
        volume: 0.2,
        price: 1.098,
        timeMs: 2,
        reason: 'sl',
        profit: -40,
        commission: -1.4,
        swap: -0.5,
      }),
    ],
    rows: [
      {
        positionId: 'P1',
        side: 'buy',
        volume: 0.2,
        openPrice: 1.1,
        closePrice: 1.098,
        reason: 'sl',
        isPartial: false,
        commission: -2.8,
        net: -43.3,
      },
    ],
  },
  {
    name: 'hedging: two positions on one symbol stay apart; a partial close then the rest by take profit',
    deals: [
      deal({ positionId: 'P1', kind: 'sell', entry: 'in', volume: 1, price: 1.2, timeMs: 1, commission: -7 }),
      deal({ positionId: 'P2', kind: 'buy', entry: 'in', volume: 0.5, price: 1.2002, timeMs: 2 }),
      deal({ positionId: 'P1', kind: 'buy', entry: 'out', volume: 0.3, price: 1.199, timeMs: 3, profit: 30 }),
      deal({
        positionId: 'P1',
        kind: 'buy',
        entry: 'out',
        volume: 0.7,
        price: 1.195,
        timeMs: 4,
        reason: 'tp',
        profit: 350,
      }),
    ],
    rows: [
      {
        positionId: 'P1',
        side: 'sell',
        volume: 0.3,
        openPrice: 1.2,
        closePrice: 1.199,
        reason: 'expert',
        isPartial: true,
        commission: -2.1,
        net: 27.9,
      },
      {
        positionId: 'P1',
        side: 'sell',
        volume: 0.7,
        openPrice: 1.2,
        closePrice: 1.195,
        reason: 'tp',
        isPartial: false,
        commission: -4.9,
        net: 345.1,
      },
    ],
  },
  {
    name: 'hedging: close by (OUT_BY) closes both legs',
    deals: [
      deal({ positionId: 'A', kind: 'buy', entry: 'in', volume: 0.1, price: 1.1, timeMs: 1 }),
      deal({ positionId: 'B', kind: 'sell', entry: 'in', volume: 0.1, price: 1.101, timeMs: 2 }),
      deal({
        positionId: 'A',
        kind: 'sell',
        entry: 'out_by',
        volume: 0.1,
        price: 1.101,
        timeMs: 3,
        profit: 10,
      }),
      deal({ positionId: 'B', kind: 'buy', entry: 'out_by', volume: 0.1, price: 1.101, timeMs: 3 }),
    ],
    rows: [
      {
        positionId: 'A',
        side: 'buy',
        volume: 0.1,
        openPrice: 1.1,
        closePrice: 1.101,
        reason: 'expert',
        isPartial: false,
        commission: 0,
        net: 10,
      },
      {
        positionId: 'B',
        side: 'sell',
        volume: 0.1,
        openPrice: 1.101,
        closePrice: 1.101,
        reason: 'expert',
        isPartial: false,
        commission: 0,
        net: 0,
      },
    ],
  },
  {
    name: 'netting: adds average the open price; a partial close keeps the average',
    deals: [
      deal({ positionId: 'N', kind: 'buy', entry: 'in', volume: 0.1, price: 1.1, timeMs: 1 }),
      deal({ positionId: 'N', kind: 'buy', entry: 'in', volume: 0.3, price: 1.104, timeMs: 2 }),
      deal({ positionId: 'N', kind: 'sell', entry: 'out', volume: 0.2, price: 1.106, timeMs: 3, profit: 60 }),
      deal({
        positionId: 'N',
        kind: 'sell',
        entry: 'out',
        volume: 0.2,
        price: 1.1,
        timeMs: 4,
        profit: -60,
        reason: 'so',
      }),
    ],
    rows: [
      {
        positionId: 'N',
        side: 'buy',
        volume: 0.2,
        openPrice: 1.103,
        closePrice: 1.106,
        reason: 'expert',
        isPartial: true,
        commission: 0,
        net: 60,
      },
      {
        positionId: 'N',
        side: 'buy',
        volume: 0.2,
        openPrice: 1.103,
        closePrice: 1.1,
        reason: 'so',
        isPartial: false,
        commission: 0,
        net: -60,
      },
    ],
  },
  {
    name: 'netting: a reversal (INOUT) closes the long and opens a short on the same position id',
    deals: [
      deal({ positionId: 'N', kind: 'buy', entry: 'in', volume: 0.3, price: 1.1, timeMs: 1, commission: -3 }),
      deal({
        positionId: 'N',
        kind: 'sell',
        entry: 'inout',
        volume: 0.5,
        price: 1.101,
        timeMs: 2,
        profit: 30,
      }),
      deal({
        positionId: 'N',
        kind: 'buy',
        entry: 'out',
        volume: 0.2,
        price: 1.1,
        timeMs: 3,
        profit: 20,
        reason: 'tp',
      }),
    ],
    rows: [
      {
        positionId: 'N',
        side: 'buy',
        volume: 0.3,
        openPrice: 1.1,
        closePrice: 1.101,
        reason: 'expert',
        isPartial: false,
        commission: -3,
        net: 27,
      },
      {
        positionId: 'N',
        side: 'sell',
        volume: 0.2,
        openPrice: 1.101,
        closePrice: 1.1,
        reason: 'tp',
        isPartial: false,
        commission: 0,
        net: 20,
      },
    ],
  },
  {
    name: 'an exit whose opening deal is older than the deals loaded has no open price',
    deals: [
      deal({ positionId: 'OLD', kind: 'sell', entry: 'out', volume: 1, price: 1.2, timeMs: 5, profit: 12 }),
    ],
    rows: [
      {
        positionId: 'OLD',
        side: 'buy',
        volume: 1,
        openPrice: null,
        closePrice: 1.2,
        reason: 'expert',
        isPartial: false,
        commission: 0,
        net: 12,
      },
    ],
  },
  {
    name: 'balance deals and still-open positions are not trades',
    deals: [
      deal({ positionId: '0', kind: 'balance', entry: 'in', volume: 0, price: 0, timeMs: 1, profit: 10_000 }),
      deal({ positionId: 'P9', kind: 'buy', entry: 'in', volume: 1, price: 1.1, timeMs: 2 }),
    ],
    rows: [],
  },
];

describe('closedTrades', () => {
  it.each(cases)('$name', ({ deals, rows }) => {
    expect(closedTrades(deals).map(pick)).toEqual(rows);
  });

  it('orders by time whatever order the terminal sent, so exits never come before their entry', () => {
    const [open, close] = cases[0]?.deals ?? [];
    if (open === undefined || close === undefined) throw new Error('fixture');
    expect(closedTrades([close, open]).map(pick)).toEqual(cases[0]?.rows);
  });

  it('keeps the opening deal comment (MT5 overwrites the closing one on SL/TP) and the open time', () => {
    const trades = closedTrades([
      deal({
        positionId: 'C',
        kind: 'buy',
        entry: 'in',
        volume: 1,
        price: 1,
        timeMs: 100,
        comment: 'pd-abc',
      }),
      deal({
        positionId: 'C',
        kind: 'sell',
        entry: 'out',
        volume: 1,
        price: 1,
        timeMs: 200,
        comment: '[sl 1.0]',
      }),
    ]);
    expect(trades[0]).toMatchObject({ comment: 'pd-abc', openTimeMs: 100, closeTimeMs: 200 });
  });

  it('rounds money to the account currency decimals (JPY: none)', () => {
    const trades = closedTrades(
      [
        deal({
          positionId: 'J',
          kind: 'buy',
          entry: 'in',
          volume: 0.3,
          price: 150,
          timeMs: 1,
          commission: -100,
        }),
        deal({
          positionId: 'J',
          kind: 'sell',
          entry: 'out',
          volume: 0.1,
          price: 151,
          timeMs: 2,
          profit: 1000,
        }),
      ],
      0,
    );
    expect(trades[0]?.commission).toBe(-33);
  });
});

describe('tradePips', () => {
  it.each([
    { side: 'buy' as const, openPrice: 1.1, closePrice: 1.1025, pip: 0.0001, pips: 25 },
    { side: 'sell' as const, openPrice: 1.1, closePrice: 1.1025, pip: 0.0001, pips: -25 },
    { side: 'sell' as const, openPrice: 2000.5, closePrice: 1999.3, pip: 0.01, pips: 120 },
    { side: 'buy' as const, openPrice: null, closePrice: 1.1, pip: 0.0001, pips: null },
    { side: 'buy' as const, openPrice: 1.1, closePrice: 1.2, pip: 0, pips: null },
  ])('$side $openPrice → $closePrice = $pips pips', ({ pips, pip, ...trade }) => {
    expect(tradePips(trade, pip)).toBe(pips);
  });
});
