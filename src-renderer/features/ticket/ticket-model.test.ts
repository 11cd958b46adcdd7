import { describe, expect, it } from 'vitest';
import { DEFAULT_TICKET, type TicketDraft } from '../../store/drafts-slice';
import { convertStops, readTicket, type TicketContext } from './ticket-model';
import { checkTicket } from './ticket-rules';
import { catalogSpec, testAccount } from '../../testing/fixtures';

const account = testAccount();

const eurusd: TicketContext = {
  spec: catalogSpec('EURUSD'),
  quote: { bid: 1.085, ask: 1.0851 },
  account,
  rates: {},
  nowMs: Date.UTC(2026, 10, 28, 9),
  zone: { kind: 'server', offsetSec: 0 },
  serverOffsetSec: 0,
};

const check = (draft: Partial<TicketDraft>, ctx: TicketContext = eurusd) => {
  const full = { ...DEFAULT_TICKET, symbol: ctx.spec?.name ?? '', ...draft };
  return checkTicket(readTicket(full, ctx), full, ctx);
};

describe('order ticket', () => {
  it('builds a market order with SL/TP in pips, and the money at risk and R:R', () => {
    const m = check({ side: 'buy', volume: '0.50', sl: '20', tp: '40' });
    expect(m.problems).toEqual([]);
    expect(m.order).toEqual({
      kind: 'market',
      input: { symbol: 'EURUSD', side: 'buy', volume: 0.5, sl: { pips: 20 }, tp: { pips: 40 } },
    });
    expect(m.entry).toBe(1.0851);
    expect(m.slPrice).toBe(1.0831);
    expect(m.tpPrice).toBe(1.0891);
    // 20 pips × $10 per pip per lot × 0.5 lots
    expect(m.risk).toBe(100);
    expect(m.reward).toBe(200);
    expect(m.margin).toBeGreaterThan(0);
  });

  it('shows the core rule for a stop on the wrong side and builds no order', () => {
    const m = check({ side: 'buy', stopUnit: 'price', sl: '1.0900' });
    expect(m.order).toBeNull();
    expect(m.problems.join(' ')).toMatch(/Stop loss must be below the bid \(1\.08500\)/);
  });

  it('shows the stops level in points', () => {
    const gbpjpy = catalogSpec('GBPJPY');
    const ctx: TicketContext = { ...eurusd, spec: gbpjpy, quote: { bid: 190.5, ask: 190.52 } };
    const m = check({ side: 'sell', stopUnit: 'price', sl: '190.53' }, ctx);
    expect(m.order).toBeNull();
    expect(m.problems.join(' ')).toMatch(new RegExp(`at least ${gbpjpy.stopsLevel} points above the ask`));
  });

  it('refuses a volume off the step, keeping the text as typed', () => {
    const draft = { volume: '0.125' };
    const m = check(draft);
    expect(m.order).toBeNull();
    expect(m.problems.some((p) => /step|multiple/i.test(p))).toBe(true);
    expect(draft.volume).toBe('0.125');
  });

  it('says what is missing in words', () => {
    expect(check({ volume: '' }).problems).toContain('Enter a volume in lots.');
    expect(check({ sl: 'abc' }).problems[0]).toMatch(/Stop loss must be a distance in pips/);
    expect(check({}, { ...eurusd, quote: undefined }).problems).toContain('No price for EURUSD yet.');
    expect(check({ mode: 'pending', price: '' }).problems).toContain('Enter the order price.');
  });

  it('builds a pending order with a price SL and an expiration, and checks its side of the market', () => {
    const expires = '2026-12-01T10:00';
    const m = check({
      mode: 'pending',
      pendingKind: 'buy_limit',
      price: '1.0800',
      stopUnit: 'price',
      sl: '1.0780',
      expiration: expires,
    });
    expect(m.problems).toEqual([]);
    expect(m.order).toEqual({
      kind: 'pending',
      input: {
        symbol: 'EURUSD',
        kind: 'buy_limit',
        price: 1.08,
        volume: 0.1,
        sl: { price: 1.078 },
        expiration: Date.UTC(2026, 11, 1, 10),
      },
    });
    const wrong = check({ mode: 'pending', pendingKind: 'buy_limit', price: '1.0900' });
    expect(wrong.order).toBeNull();
    expect(wrong.problems.join(' ')).toMatch(/below the ask/i);
  });

  it('refuses an expiration in the past', () => {
    const m = check({
      mode: 'pending',
      pendingKind: 'sell_limit',
      price: '1.0900',
      expiration: '2020-01-01T00:00',
    });
    expect(m.order).toBeNull();
    expect(m.problems).toContain('The expiration must be in the future.');
  });

  it('converts typed SL/TP when the stops switch between pips and price, instead of blanking them', () => {
    const draft = { side: 'buy' as const, volume: '0.50', sl: '20', tp: '40', stopUnit: 'pips' as const };
    const m = check(draft);
    expect(convertStops({ ...DEFAULT_TICKET, ...draft }, m, 'price', 5)).toEqual({
      sl: '1.08310',
      tp: '1.08910',
    });
    const back = check({ ...draft, stopUnit: 'price', sl: '1.08310', tp: '1.08910' });
    expect(
      convertStops(
        { ...DEFAULT_TICKET, ...draft, stopUnit: 'price', sl: '1.08310', tp: '' },
        back,
        'pips',
        5,
      ),
    ).toEqual({
      sl: '20',
      tp: '',
    });
  });

  describe('expiration on a UTC+3 trade server (docs/clock-model.md)', () => {
    // 12:00 UTC: the server's clock shows 15:00, New York's 07:00.
    const nowMs = Date.UTC(2026, 11, 3, 12);
    const offset = 3 * 3600;
    const onServer: TicketContext = {
      ...eurusd,
      nowMs,
      serverOffsetSec: offset,
      zone: { kind: 'server', offsetSec: offset },
    };
    const inNewYork: TicketContext = {
      ...onServer,
      zone: { kind: 'local', timeZone: 'America/New_York' },
    };
    const pending = (expiration: string, ctx: TicketContext) =>
      check({ mode: 'pending', pendingKind: 'buy_limit', price: '1.0800', expiration }, ctx);
    const sent = (m: ReturnType<typeof check>) =>
      m.order?.kind === 'pending' ? m.order.input.expiration : undefined;

    it('accepts an expiration 2 h ahead typed on the server clock and sends it on that clock', () => {
      const m = pending('2026-12-03T17:00', onServer);
      expect(m.problems).toEqual([]);
      expect(sent(m)).toBe(Date.UTC(2026, 11, 3, 17));
      expect(m.expiration?.utcMs).toBe(Date.UTC(2026, 11, 3, 14));
    });

    it('sends 5 h ahead as the instant typed, not 3 h early', () => {
      const m = pending('2026-12-03T20:00', onServer);
      expect(m.problems).toEqual([]);
      // The server reads 20:00 on its clock = 17:00 UTC = 5 h from now.
      expect(sent(m)).toBe(Date.UTC(2026, 11, 3, 20));
      expect((m.expiration?.utcMs ?? 0) - nowMs).toBe(5 * 3_600_000);
    });

    it('reads a time typed in New York local time and converts it to the server clock', () => {
      const twoHours = pending('2026-12-03T09:00', inNewYork);
      expect(twoHours.problems).toEqual([]);
      expect(sent(twoHours)).toBe(Date.UTC(2026, 11, 3, 17));
      const fiveHours = pending('2026-12-03T12:00', inNewYork);
      expect(sent(fiveHours)).toBe(Date.UTC(2026, 11, 3, 20));
    });

    it('refuses a time already past on the chosen clock, and only that', () => {
      // 14:00 on the server's clock was 11:00 UTC, an hour ago…
      expect(pending('2026-12-03T14:00', onServer).problems).toContain(
        'The expiration must be in the future.',
      );
      // …while 14:00 in New York is 19:00 UTC, seven hours ahead.
      const later = pending('2026-12-03T14:00', inNewYork);
      expect(later.problems).toEqual([]);
      expect(sent(later)).toBe(Date.UTC(2026, 11, 3, 22));
      expect(pending('2026-12-03T99:00', onServer).problems).toContain(
        'The expiration is not a valid date and time.',
      );
    });
  });
});
