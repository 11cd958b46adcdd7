import { afterEach, describe, expect, it } from 'vitest';
import { ExecutionResult } from '../../src-core/contracts/orders';
import { BROKER_PROFILES } from '../../src-bridge/simulator/brokers/profiles';
import { brokerSimOptions, brokerSymbol } from '../../src-bridge/simulator/brokers/broker-profile';
import { startSimSetup, type SimSetup } from './testing/sim-setup';

/**
 * The whole order path (executor → pipe → simulated terminal → trade server) against each broker profile: the
 * suffixed names, the profile's volumes, stops level, contract sizes and cent money. See docs/broker-profiles.md.
 */

let setup: SimSetup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

function ok(r: ExecutionResult): asserts r is Extract<ExecutionResult, { ok: true }> {
  expect(ExecutionResult.parse(r)).toEqual(r);
  if (!r.ok) throw new Error(`expected success, got ${r.code}: ${r.message}`);
}

describe.each(BROKER_PROFILES.map((p) => [p.id, p] as const))('the order path on %s', (_id, profile) => {
  it('opens with a stop, modifies, partly closes, closes, and places and cancels a pending order', async () => {
    const sim = brokerSimOptions(profile);
    setup = await startSimSetup({ sim: { ...sim, account: { ...sim.account, balance: 10_000 } } });
    const { services, harness } = setup;
    const ex = services.executor;
    const symbol = brokerSymbol(profile, 'EURUSD');
    const volume = Math.max(profile.volume.min, 0.1) * 3;

    // Prices stand still in this setup, so the quote at the open is the quote at every close.
    const atOpen = harness.sim.state.quote(symbol);
    const spread = (atOpen?.ask ?? 0) - (atOpen?.bid ?? 0);
    const opened = await ex.openMarket({ symbol, side: 'buy', volume, sl: { pips: 30 } });
    ok(opened);
    const [position] = harness.sim.state.positions();
    expect(position?.symbol).toBe(symbol);
    const ticket = position?.ticket ?? '';

    ok(await ex.modifyPosition({ ticket, tp: { pips: 50 } }));
    const modified = harness.sim.state.positions()[0];
    expect(modified?.tp).toBeCloseTo((modified?.priceOpen ?? 0) + 0.005, 8);

    ok(await ex.closePosition({ ticket, volume: volume / 3 }));
    expect(harness.sim.state.positions()[0]?.volume).toBeCloseTo((volume * 2) / 3, 8);
    ok(await ex.closePosition({ ticket }));
    expect(harness.sim.state.positions()).toHaveLength(0);

    // The realised loss is the spread, in the account's money, hand-computed: EURUSD's profit is in USD, and a
    // cent account counts it in US cents.
    expect(spread).toBeGreaterThan(0);
    const contract = 100_000 * profile.contractScale;
    const centFactor = profile.account.currency === 'USC' ? 100 : 1;
    // A commission account pays its rate per lot on each side: the open (volume) and the two closes (volume).
    const commission = 2 * profile.commissionPerLotPerSide * volume;
    const expectedLoss = spread * contract * volume * centFactor + commission;
    const account = harness.sim.state.account();
    expect(account.currency).toBe(profile.account.currency);
    expect(10_000 - account.balance).toBeCloseTo(expectedLoss, 1);
    const charged = harness.sim.state.deals().reduce((sum, d) => sum + d.commission, 0);
    expect(-charged).toBeCloseTo(commission, 2);

    const quote = harness.sim.state.quote(symbol);
    const price = Number(((quote?.bid ?? 1) - 0.005).toFixed(5));
    const placed = await ex.placePending({ symbol, kind: 'buy_limit', price, volume, sl: { pips: 20 } });
    ok(placed);
    ok(await ex.cancelOrder({ ticket: placed.order ?? '' }));
    expect(harness.sim.state.orders()).toHaveLength(0);
    expect(services.journal.count('done')).toBe(6);
  });

  it('refuses a volume under the profile minimum, and a stop inside the stops level when it has one', async () => {
    setup = await startSimSetup({ sim: brokerSimOptions(profile) });
    const ex = setup.services.executor;
    const symbol = brokerSymbol(profile, 'EURUSD');
    const tooSmall = await ex.openMarket({ symbol, side: 'buy', volume: profile.volume.min / 2 });
    expect(tooSmall.ok).toBe(false);
    expect(setup.harness.sim.state.positions()).toHaveLength(0);
    if (profile.stopsLevel > 0) {
      const quote = setup.harness.sim.state.quote(symbol);
      const inside = Number(((quote?.bid ?? 1) - (profile.stopsLevel / 2) * 0.00001).toFixed(5));
      const r = await ex.openMarket({
        symbol,
        side: 'buy',
        volume: profile.volume.min,
        sl: { price: inside },
      });
      expect(r.ok).toBe(false);
      expect(setup.harness.sim.state.positions()).toHaveLength(0);
    }
  });
});
