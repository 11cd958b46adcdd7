import { useState, type ReactNode } from 'react';
import type { OpenMarketOrder } from '../../../src-core/contracts/orders';
import { pipsToPrice } from '../../../src-core/trading/numbers';
import { MAX_SPLIT_PARTS, splitVolume } from '../../../src-core/trading/split-volume';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import { formatVolume, parseNumber } from '../../app/format';
import { useBusy, useController, usePlaceError } from '../../store/use-app';
import { InlineError } from '../../ui/controls';
import { useOrderGuard } from '../one-click/use-order-guard';

const PLACE = 'ticket-split';

interface PartDraft {
  readonly percent: string;
  readonly tpPips: string;
}

const DEFAULT_PARTS: readonly PartDraft[] = [
  { percent: '50', tpPips: '20' },
  { percent: '30', tpPips: '40' },
  { percent: '20', tpPips: '60' },
];

/**
 * Multiple take-profits in the ticket (docs/trade-management.md): the market order split into parts, each with its
 * own TP in pips, previewed with the volumes main will send (rounded down to the volume step, never more than
 * the ticket's volume) and sent as one journalled order per part.
 */
export function SplitTargets(props: {
  order: OpenMarketOrder | null;
  spec: SymbolSpec | undefined;
  entry: number | null;
  problems: readonly string[];
}): ReactNode {
  const { order, spec, entry } = props;
  const controller = useController();
  const guard = useOrderGuard();
  const error = usePlaceError(PLACE);
  const isBusy = useBusy(PLACE);
  const [isOn, setOn] = useState(false);
  const [parts, setParts] = useState<readonly PartDraft[]>(DEFAULT_PARTS);
  const digits = spec?.digits ?? 5;
  const step = spec?.volumeStep ?? 0.01;

  const percents = parts.map((p) => parseNumber(p.percent) ?? Number.NaN);
  const tps = parts.map((p) => parseNumber(p.tpPips) ?? Number.NaN);
  const split = order === null || spec === undefined ? null : splitVolume(order.volume, percents, spec);
  const badTp = tps.findIndex((t) => !(t > 0));
  const problem =
    order === null || spec === undefined || props.problems.length > 0
      ? (props.problems[0] ?? 'Fill in the ticket first.')
      : split !== null && !split.ok
        ? split.error.message
        : badTp >= 0
          ? `Part ${badTp + 1} needs a take-profit above 0 pips.`
          : null;
  const sign = order?.side === 'sell' ? -1 : 1;
  const tpPrice = (pips: number): string =>
    entry === null || spec === undefined || !(pips > 0)
      ? '—'
      : (entry + sign * pipsToPrice(pips, spec)).toFixed(digits);
  const total = split?.ok === true ? split.value.reduce((a, p) => a + p.volume, 0) : null;

  const submit = (): void => {
    if (order === null || problem !== null || split?.ok !== true) return;
    const n = parts.length;
    guard(
      {
        title: `${order.side === 'buy' ? 'Buy' : 'Sell'} ${formatVolume(total ?? 0, step)} ${order.symbol} in ${n} parts?`,
        lines: split.value.map(
          (p, i) =>
            `Part ${i + 1}: ${formatVolume(p.volume, step)} lots, TP ${tps[i] ?? 0} pips (${tpPrice(tps[i] ?? 0)}).`,
        ),
        confirmLabel: order.side === 'buy' ? 'Buy' : 'Sell',
        tone: order.side,
      },
      () => {
        void controller.openSplit(PLACE, {
          symbol: order.symbol,
          side: order.side,
          volume: order.volume,
          ...(order.sl === undefined ? {} : { sl: order.sl }),
          ...(order.deviation === undefined ? {} : { deviation: order.deviation }),
          parts: parts.map((_, i) => ({ percent: percents[i] ?? 0, tp: { pips: tps[i] ?? 0 } })),
        });
      },
    );
  };

  return (
    <div className="split" data-testid="split">
      <label className="check">
        <input
          type="checkbox"
          checked={isOn}
          data-testid="split-on"
          onChange={(e) => {
            setOn(e.target.checked);
          }}
        />
        Split into parts with their own take-profits
      </label>
      {!isOn ? null : (
        <>
          <table className="grid split-table" data-testid="split-preview">
            <thead>
              <tr>
                <th>Part</th>
                <th className="num">Share %</th>
                <th className="num">TP pips</th>
                <th className="num">Lots</th>
                <th className="num">TP price</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {parts.map((part, i) => (
                <tr key={i} data-testid={`split-part-${i + 1}`}>
                  <td className="muted">{i + 1}</td>
                  <td>
                    <input
                      className="num cell-input small"
                      inputMode="decimal"
                      aria-label={`Part ${i + 1} share in percent`}
                      value={part.percent}
                      data-testid={`split-percent-${i + 1}`}
                      onChange={(e) => {
                        setParts(parts.map((p, j) => (j === i ? { ...p, percent: e.target.value } : p)));
                      }}
                    />
                  </td>
                  <td>
                    <input
                      className="num cell-input small"
                      inputMode="decimal"
                      aria-label={`Part ${i + 1} take-profit in pips`}
                      value={part.tpPips}
                      data-testid={`split-tp-${i + 1}`}
                      onChange={(e) => {
                        setParts(parts.map((p, j) => (j === i ? { ...p, tpPips: e.target.value } : p)));
                      }}
                    />
                  </td>
                  <td className="num" data-testid={`split-volume-${i + 1}`}>
                    {split?.ok === true ? formatVolume(split.value[i]?.volume ?? 0, step) : '—'}
                  </td>
                  <td className="num">{tpPrice(tps[i] ?? Number.NaN)}</td>
                  <td>
                    <button
                      type="button"
                      className="btn tiny ghost"
                      aria-label={`Remove part ${i + 1}`}
                      disabled={parts.length <= 2}
                      onClick={() => {
                        setParts(parts.filter((_, j) => j !== i));
                      }}
                    >
                      ×
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="split-foot">
            <button
              type="button"
              className="btn tiny ghost"
              data-testid="split-add"
              disabled={parts.length >= MAX_SPLIT_PARTS}
              onClick={() => {
                setParts([...parts, { percent: '0', tpPips: '' }]);
              }}
            >
              + Part
            </button>
            <span className="muted small" data-testid="split-total">
              {total === null
                ? ''
                : `${formatVolume(total, step)} of ${formatVolume(order?.volume ?? 0, step)} lots · same SL for every part · volumes rounded down to ${formatVolume(step, step)}`}
            </span>
          </div>
          {problem === null ? null : (
            <div className="inline-error" data-testid="split-problem">
              {problem}
            </div>
          )}
          <button
            type="button"
            className={`btn wide ${order?.side ?? 'buy'}`}
            data-testid="split-submit"
            disabled={problem !== null || isBusy}
            onClick={submit}
          >
            {isBusy ? 'Sending…' : `${order?.side === 'sell' ? 'Sell' : 'Buy'} in ${parts.length} parts`}
          </button>
          <InlineError message={error} testId="split-error" />
        </>
      )}
    </div>
  );
}
