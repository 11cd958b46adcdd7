import { describe, expect, it } from 'vitest';
import type { PendingOrder, Position } from '../../../src-core/contracts/ipc';
import { chartLines, describeDrag, dragModification, lineAt } from './chart-lines';

const position = (over: Partial<Position>): Position => ({
  ticket: '11',
  symbol: 'EURUSD',
  side: 'buy',
  volume: 0.1,
  priceOpen: 1.085,
  priceCurrent: 1.086,
  sl: 1.08,
  tp: 1.09,
  profit: 10,
  swap: 0,
  commission: 0,
  openTimeMs: 0,
  magic: '0',
  comment: '',
  clientOrderId: null,
  ...over,
});

const order = (over: Partial<PendingOrder>): PendingOrder => ({
  ticket: '21',
  symbol: 'EURUSD',
  type: 'buy_limit',
  volume: 0.2,
  priceOpen: 1.08,
  priceStopLimit: null,
  sl: null,
  tp: 1.1,
  expirationMs: null,
  setupTimeMs: 0,
  magic: '0',
  comment: '',
  clientOrderId: null,
  ...over,
});

describe('chartLines', () => {
  it('draws bid, ask, entries, stops and pending prices of the chart’s symbol only', () => {
    const lines = chartLines({
      symbol: 'EURUSD',
      quote: { bid: 1.0855, ask: 1.0856 },
      positions: [
        position({}),
        position({ ticket: '12', symbol: 'GBPUSD' }),
        position({ ticket: '13', sl: null, tp: null, side: 'sell' }),
      ],
      orders: [order({}), order({ ticket: '22', symbol: 'USDJPY' })],
    });
    expect(
      lines.map((l) => [l.id, l.price, l.target === null ? '-' : `${l.target.kind}:${l.target.field}`]),
    ).toEqual([
      ['bid', 1.0855, '-'],
      ['ask', 1.0856, '-'],
      ['entry:11', 1.085, '-'],
      ['sl:11', 1.08, 'position:sl'],
      ['tp:11', 1.09, 'position:tp'],
      ['entry:13', 1.085, '-'],
      ['order:21', 1.08, 'order:price'],
      ['order-tp:21', 1.1, 'order:tp'],
    ]);
    expect(lines.find((l) => l.id === 'entry:13')?.role).toBe('entry-sell');
    expect(lines.find((l) => l.id === 'order:21')?.title).toBe('Buy limit 0.2 #21');
  });

  it('draws no market lines before the first quote', () => {
    expect(chartLines({ symbol: 'EURUSD', quote: undefined, positions: [], orders: [] })).toEqual([]);
  });
});

describe('lineAt', () => {
  const lines = chartLines({
    symbol: 'EURUSD',
    quote: { bid: 1.0855, ask: 1.0856 },
    positions: [position({})],
    orders: [],
  });
  // 1 pixel per 0.0001 around 1.085, y growing downwards.
  const yOf = (price: number): number => Math.round((1.1 - price) * 10_000);

  it('finds the draggable line under the pointer, never bid, ask or an entry', () => {
    expect(lineAt(lines, yOf, yOf(1.08) + 3)?.id).toBe('sl:11');
    expect(lineAt(lines, yOf, yOf(1.09) - 6)?.id).toBe('tp:11');
    expect(lineAt(lines, yOf, yOf(1.0855))).toBeNull();
    expect(lineAt(lines, yOf, yOf(1.085))).toBeNull();
    expect(lineAt(lines, yOf, yOf(1.08) + 7)).toBeNull();
  });

  it('skips lines that are off screen', () => {
    expect(lineAt(lines, () => null, 0)).toBeNull();
  });
});

describe('dragModification', () => {
  it('sends only the dragged field, on the tick grid', () => {
    expect(
      dragModification({ kind: 'position', ticket: '11', field: 'sl' }, 1.0812345, 0.00001, 1.08),
    ).toEqual({
      kind: 'position',
      price: 1.08123,
      input: { ticket: '11', sl: { price: 1.08123 } },
    });
    expect(dragModification({ kind: 'position', ticket: '11', field: 'tp' }, 1.095, 0.00001, 1.09)).toEqual({
      kind: 'position',
      price: 1.095,
      input: { ticket: '11', tp: { price: 1.095 } },
    });
    expect(dragModification({ kind: 'order', ticket: '21', field: 'price' }, 1.07, 0.00001, 1.08)).toEqual({
      kind: 'order',
      price: 1.07,
      input: { ticket: '21', price: 1.07 },
    });
    expect(dragModification({ kind: 'order', ticket: '21', field: 'sl' }, 2401.26, 0.25, 2400)).toEqual({
      kind: 'order',
      price: 2401.25,
      input: { ticket: '21', sl: { price: 2401.25 } },
    });
  });

  it('asks for nothing when the line did not move by a tick', () => {
    expect(
      dragModification({ kind: 'position', ticket: '11', field: 'sl' }, 1.080004, 0.00001, 1.08),
    ).toBeNull();
    expect(dragModification({ kind: 'position', ticket: '11', field: 'sl' }, -1, 0.00001, 1.08)).toBeNull();
  });

  it('words the confirmation with the symbol’s digits', () => {
    const [line] = chartLines({
      symbol: 'EURUSD',
      quote: undefined,
      positions: [position({ tp: null })],
      orders: [],
    }).filter((l) => l.target !== null);
    if (line === undefined) throw new Error('no SL line');
    expect(describeDrag(line, 1.08, 1.0812, 5)).toBe('Move the SL of #11 from 1.08000 to 1.08120.');
  });
});
