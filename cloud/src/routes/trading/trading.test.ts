import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../../../src-core/contracts/cloud-api';
import { findCatalogSymbol } from '../../../../src-core/trading/catalog';
import { calculatePositionSize } from '../../../../src-core/trading/sizing';
import { buildTestApp, createTestDatabase, tempDir, testConfig } from '../../../test/helpers';

const URL = '/api/v1/trading/position-size/calculate';

describe('POST /api/v1/trading/position-size/calculate', () => {
  const dir = tempDir();
  let app: FastifyInstance;

  beforeAll(async () => {
    const db = await createTestDatabase('sqlite', dir.path);
    app = await buildTestApp({ config: testConfig({ dataDir: dir.path, databaseUrl: db.url }) });
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  const calc = (payload: object) => app.inject({ method: 'POST', url: URL, payload });
  const base = {
    account_balance: 10_000,
    risk_percent: 1,
    entry_price: 1.085,
    stop_loss: 1.08,
    symbol: 'EURUSD',
  };

  it('sizes a catalog symbol with the core function and infers the side from the stop', async () => {
    const response = await calc(base);
    expect(response.statusCode).toBe(200);
    const spec = findCatalogSymbol('EURUSD');
    if (spec === undefined) throw new Error('catalog lacks EURUSD');
    const core = calculatePositionSize({
      accountCurrency: 'USD',
      baseAmount: 10_000,
      risk: { mode: 'percent', value: 1 },
      side: 'buy',
      entryPrice: 1.085,
      stopLoss: { mode: 'price', value: 1.08 },
      spec,
      rates: { EURUSD: 1.085 },
    });
    if (!core.ok) throw new Error(core.error.message);
    expect(response.json()).toEqual({
      symbol: 'EURUSD',
      side: 'buy',
      lot_size: core.value.lotSize,
      risk_amount: core.value.riskAmount,
      stop_loss_pips: core.value.stopLossPips,
      stop_loss_points: core.value.stopLossPoints,
      margin_required: core.value.marginRequired,
      actual_risk_amount: core.value.actualRiskAmount,
      pip_value_per_lot: core.value.pipValuePerLot,
      flags: core.value.flags,
    });
    // 1% of 10,000 over 50 pips of EURUSD at $10 a pip: 0.2 lots.
    expect(response.json()).toMatchObject({ lot_size: 0.2, risk_amount: 100, stop_loss_pips: 50 });
  });

  it('infers a sell from a stop above the entry and converts JPY profit with the symbol price', async () => {
    const response = await calc({ ...base, symbol: 'usdjpy', entry_price: 150, stop_loss: 150.5 });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ symbol: 'USDJPY', side: 'sell', stop_loss_pips: 50 });
  });

  it('takes a symbol_spec for symbols the catalog lacks, and caps at max_lot_size', async () => {
    const response = await calc({
      ...base,
      symbol: 'EURUSDm',
      risk_percent: 50,
      max_lot_size: 2,
      symbol_spec: {
        digits: 5,
        point: 0.00001,
        tick_size: 0.00001,
        tick_value: 1,
        contract_size: 100_000,
        volume_min: 0.01,
        volume_max: 200,
        volume_step: 0.01,
        currency_base: 'EUR',
        currency_profit: 'USD',
        currency_margin: 'EUR',
        calc_mode: 'FOREX',
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ symbol: 'EURUSDm', lot_size: 2, flags: ['CAPPED_AT_MAX_LOT'] });
  });

  it.each([
    [{ ...base, risk_percent: 0 }, 'risk_percent', 'INVALID_RISK_PERCENT'],
    [{ ...base, risk_percent: 150 }, 'risk_percent', 'INVALID_RISK_PERCENT'],
    [{ ...base, account_balance: -5 }, 'account_balance', 'INVALID_BALANCE'],
    [{ ...base, stop_loss: 1.085 }, 'stop_loss', 'INVALID_STOP_LOSS'],
    [{ ...base, side: 'buy', stop_loss: 1.09 }, 'stop_loss', 'STOP_LOSS_WRONG_SIDE'],
    [{ ...base, entry_price: 0, stop_loss: -1 }, 'entry_price', 'INVALID_PRICE'],
    [{ ...base, commission_per_lot: -1 }, 'commission_per_lot', 'INVALID_COMMISSION'],
    [{ ...base, symbol: 'NOPE' }, 'symbol', 'INVALID_SYMBOL_SPEC'],
    [
      { ...base, symbol: 'EURGBP', entry_price: 0.85433, stop_loss: 0.85 },
      'rates',
      'MISSING_CONVERSION_RATE',
    ],
    [
      { risk_percent: 1, entry_price: 1.1, stop_loss: 1.0, symbol: 'EURUSD' },
      'account_balance',
      'VALIDATION_FAILED',
    ],
    [{ ...base, account_balance: '10000' }, 'account_balance', 'VALIDATION_FAILED'],
    [{ ...base, side: 'long' }, 'side', 'VALIDATION_FAILED'],
    [{ ...base, symbol_spec: { digits: 5 } }, 'symbol_spec.point', 'VALIDATION_FAILED'],
  ])('answers 422 naming the field for %j', async (payload, field, coreCode) => {
    const response = await calc(payload);
    expect(response.statusCode).toBe(422);
    const body = response.json<ErrorBody>();
    expect(body.error.code).toBe('sizing_failed');
    expect(body.error.details).toMatchObject({ field, core_code: coreCode });
  });
});
