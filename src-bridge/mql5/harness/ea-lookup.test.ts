/**
 * lookup for what MT5 does not file under the request's comment: a netting reversal (the position keeps its
 * identifier and takes the reversing order's ticket) and SLTP/MODIFY/REMOVE requests (the server keeps no comment
 * for them; the EA remembers its recent ones). docs/mql5-functions.md, "Lookup".
 */
import { describe, expect, it } from 'vitest';
import { HANDSHAKE, req, result, session, trade, useScriptedEa } from './scripted-ea';

useScriptedEa();

const tickets = (r: Record<string, unknown>, key: 'positions' | 'orders' | 'deals') =>
  (r[key] as { ticket: string }[]).map((x) => x.ticket);

describe('lookup after a netting reversal', () => {
  it('finds the reversed position under its new ticket, the reversing deal, and the position’s later close', () => {
    const before = req('lookup', { clOrdId: 'pd-rev' });
    const reversed = req('lookup', { clOrdId: 'pd-rev' });
    const closed = req('lookup', { clOrdId: 'pd-rev' });
    const s = session([
      ...HANDSHAKE,
      before,
      'timer 10',
      // pd-open1 opened position 7000000001; pd-rev's order 7500000000 reverses it.
      'reversal pd-rev 7000000001',
      reversed,
      'timer 10',
      'slclose 7000000001',
      closed,
      'timer 10',
    ]);
    expect(result(s, before)).toMatchObject({ found: false });
    const r = result(s, reversed);
    expect(r.found).toBe(true);
    expect(tickets(r, 'positions')).toEqual(['7500000000']);
    expect(tickets(r, 'deals')).toEqual(['7500000001']);
    const c = result(s, closed);
    expect(tickets(c, 'positions')).toEqual([]);
    expect(tickets(c, 'deals')).toEqual(['7500000001', '7600000000']);
  });
});

describe('lookup of SLTP, MODIFY and REMOVE requests by clOrdId', () => {
  it('shows the target as it is now and the stored answer, even when the answer was unknown', () => {
    const sltp = trade('SLTP', 'pd-sltp', { position: '7000000001', sl: 1.079, tp: 1.1 });
    const modify = trade('MODIFY', 'pd-mod', { order: '7100000001', price: 1.0805, sl: 0, tp: 0 });
    const remove = trade('REMOVE', 'pd-rm', { order: '7100000001' });
    const lookups = {
      sltp: req('lookup', { clOrdId: 'pd-sltp' }),
      modify: req('lookup', { clOrdId: 'pd-mod' }),
      removeBefore: req('lookup', { clOrdId: 'pd-rm' }),
      removeAfter: req('lookup', { clOrdId: 'pd-rm' }),
      never: req('lookup', { clOrdId: 'pd-never' }),
    };
    const s = session([
      ...HANDSHAKE,
      'sendcodes 10012,10009,10031',
      sltp,
      modify,
      remove,
      'timer 10',
      lookups.sltp,
      lookups.modify,
      lookups.removeBefore,
      lookups.never,
      'timer 10',
      'removeorder 7100000001',
      lookups.removeAfter,
      'timer 10',
    ]);
    const l = result(s, lookups.sltp);
    expect(l).toMatchObject({ found: true, lastResult: { retcode: 10012 } });
    expect(tickets(l, 'positions')).toEqual(['7000000001']);
    const m = result(s, lookups.modify);
    expect(m).toMatchObject({ found: true, lastResult: { retcode: 10009 } });
    expect(tickets(m, 'orders')).toEqual(['7100000001']);
    // REMOVE with an unknown outcome: the order still working says it was not removed, its absence that it was.
    expect(tickets(result(s, lookups.removeBefore), 'orders')).toEqual(['7100000001']);
    const gone = result(s, lookups.removeAfter);
    expect(gone).toMatchObject({ found: true, lastResult: { retcode: 10031 }, orders: [] });
    expect(result(s, lookups.never)).toMatchObject({ found: false });
  });

  it('remembers a rejected request too, with its answer (it is not in the dedup table)', () => {
    const sltp = trade('SLTP', 'pd-stops', { position: '7000000001', sl: 1.2, tp: 1.1 });
    const lookup = req('lookup', { clOrdId: 'pd-stops' });
    const s = session([...HANDSHAKE, 'sendcodes 10016', sltp, 'timer 10', lookup, 'timer 10']);
    expect(result(s, sltp)).toMatchObject({ retcode: 10016 });
    expect(result(s, lookup)).toMatchObject({ found: true, lastResult: { retcode: 10016 } });
  });
});
