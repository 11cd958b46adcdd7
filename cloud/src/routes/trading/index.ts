import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import {
  ErrorBody,
  PositionSizeRequest,
  PositionSizeResponse,
} from '../../../../src-core/contracts/cloud-api';
import { findCatalogSymbol } from '../../../../src-core/trading/catalog';
import { calculatePositionSize, type PositionSizeInputRaw } from '../../../../src-core/trading/sizing';
import type { SymbolSpecInput } from '../../../../src-core/trading/symbol-spec';
import { apiError } from '../../errors';

/** Which request field each core sizing code is about, so a 422 names it. */
const FIELD_OF_CODE: Readonly<Record<string, string>> = {
  INVALID_BALANCE: 'account_balance',
  INVALID_RISK_PERCENT: 'risk_percent',
  INVALID_RISK_AMOUNT: 'risk_percent',
  INVALID_PRICE: 'entry_price',
  INVALID_STOP_LOSS: 'stop_loss',
  STOP_LOSS_WRONG_SIDE: 'stop_loss',
  INVALID_COMMISSION: 'commission_per_lot',
  INVALID_LEVERAGE: 'leverage',
  MISSING_CONVERSION_RATE: 'rates',
  INVALID_SYMBOL_SPEC: 'symbol_spec',
};

/** camelCase core field paths → the request's snake_case names. */
const SNAKE: Readonly<Record<string, string>> = {
  baseAmount: 'account_balance',
  entryPrice: 'entry_price',
  stopLoss: 'stop_loss',
  accountCurrency: 'account_currency',
  commissionPerLot: 'commission_per_lot',
  maxLotSize: 'max_lot_size',
  risk: 'risk_percent',
  spec: 'symbol_spec',
};

const sizingFailed = (field: string, coreCode: string, message: string, extra?: Record<string, unknown>) =>
  apiError('sizing_failed', message, { field, core_code: coreCode, ...extra });

interface SchemaIssue {
  readonly instancePath: string;
  readonly message?: string;
}

function specFromRequest(request: PositionSizeRequest): SymbolSpecInput | undefined {
  const given = request.symbol_spec;
  if (given === undefined) return findCatalogSymbol(request.symbol);
  return {
    name: request.symbol,
    digits: given.digits,
    point: given.point,
    tickSize: given.tick_size,
    contractSize: given.contract_size,
    volumeMin: given.volume_min,
    volumeMax: given.volume_max,
    volumeStep: given.volume_step,
    currencyBase: given.currency_base,
    currencyProfit: given.currency_profit,
    currencyMargin: given.currency_margin,
    calcMode: given.calc_mode,
    ...(given.pip_size === undefined ? {} : { pipSize: given.pip_size }),
    ...(given.tick_value === undefined ? {} : { tickValue: given.tick_value }),
    ...(given.margin_rate === undefined ? {} : { marginRate: given.margin_rate }),
    // Fields sizing does not read, filled so the spec is complete.
    tradeMode: 'FULL',
    executionMode: 'MARKET',
    fillingFlags: 1,
    stopsLevel: 0,
    freezeLevel: 0,
  };
}

/**
 * `/api/v1/trading/*`. Position sizing runs the same `calculatePositionSize` as the desktop calculator; any
 * refusal, whether by the schema or by the core, is a 422 naming the field and the core's code.
 */
export const tradingRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.post(
    '/position-size/calculate',
    {
      attachValidation: true,
      schema: {
        tags: ['trading'],
        summary: "Position size by risk (the desktop calculator's function)",
        body: PositionSizeRequest,
        response: { 200: PositionSizeResponse, 422: ErrorBody, 429: ErrorBody },
      },
    },
    (request) => {
      if (request.validationError !== undefined) {
        const issues = (request.validationError as { validation: readonly SchemaIssue[] }).validation.map(
          (v) => ({
            path: v.instancePath.replace(/^\//, '').replace(/\//g, '.'),
            message: v.message ?? 'invalid value',
          }),
        );
        const field = issues[0]?.path || 'body';
        throw sizingFailed(
          field,
          'VALIDATION_FAILED',
          `Invalid ${field}: ${issues[0]?.message ?? 'invalid value'}.`,
          {
            issues,
          },
        );
      }
      const body = request.body;
      const spec = specFromRequest(body);
      if (spec === undefined) {
        throw sizingFailed(
          'symbol',
          'INVALID_SYMBOL_SPEC',
          `Unknown symbol ${body.symbol}: send its symbol_spec (the catalog does not have it).`,
        );
      }
      const side = body.side ?? (body.stop_loss < body.entry_price ? 'buy' : 'sell');
      const input: PositionSizeInputRaw = {
        accountCurrency: body.account_currency.toUpperCase(),
        baseAmount: body.account_balance,
        risk: { mode: 'percent', value: body.risk_percent },
        side,
        entryPrice: body.entry_price,
        stopLoss: { mode: 'price', value: body.stop_loss },
        commissionPerLot: body.commission_per_lot,
        maxLotSize: body.max_lot_size,
        leverage: body.leverage,
        spec,
        // The symbol's own price converts between its own currencies; explicit rates win.
        rates: {
          ...(body.entry_price > 0
            ? { [`${spec.currencyBase}${spec.currencyProfit}`]: body.entry_price }
            : {}),
          ...body.rates,
        },
      };
      const result = calculatePositionSize(input);
      if (!result.ok) {
        const { code, message, details } = result.error;
        let field = FIELD_OF_CODE[code] ?? 'body';
        if (code === 'VALIDATION_FAILED') {
          const issue = (details?.['issues'] as string[] | undefined)?.[0] ?? '';
          const path = issue.split(':')[0] ?? '';
          const [head = '', ...rest] = path.split('.');
          field = [SNAKE[head] ?? head, ...rest].filter((p) => p !== '' && p !== 'value').join('.') || 'body';
        }
        throw sizingFailed(
          field,
          code,
          message,
          details === undefined ? undefined : { core_details: details },
        );
      }
      const size = result.value;
      return {
        symbol: spec.name,
        side,
        lot_size: size.lotSize,
        risk_amount: size.riskAmount,
        stop_loss_pips: size.stopLossPips,
        stop_loss_points: size.stopLossPoints,
        margin_required: size.marginRequired,
        actual_risk_amount: size.actualRiskAmount,
        pip_value_per_lot: size.pipValuePerLot,
        flags: size.flags,
      };
    },
  );
  done();
};
