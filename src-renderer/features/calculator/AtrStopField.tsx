import type { ReactNode } from 'react';
import { formatPips } from '../../app/format';
import { priceToPips } from '../../../src-core/trading/numbers';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';
import type { CalculatorDraft } from '../../store/drafts-slice';
import { useApp } from '../../store/use-app';
import { NumberField, Segmented } from '../../ui/controls';
import { atrStopFromBars } from './calculator-lines';

/**
 * Stop from ATR (docs/ui.md, calculator): period, multiplier and smoothing; the ATR comes from the closed bars
 * the chart shows for this symbol, so the stop matches what the trader sees.
 */
export function AtrStopField(props: {
  readonly draft: CalculatorDraft;
  readonly symbol: string;
  readonly spec: SymbolSpec | undefined;
  readonly entry: number | null;
  readonly onChange: (patch: Partial<CalculatorDraft>) => void;
}): ReactNode {
  const { draft, spec, entry } = props;
  const chart = useApp((s) => s.chartBars);
  const bars = chart !== null && chart.symbol === props.symbol ? chart : null;
  const outcome =
    spec === undefined
      ? null
      : bars === null
        ? { ok: false as const, message: `Show ${props.symbol} on the chart to use its bars.` }
        : entry === null
          ? { ok: false as const, message: 'The ATR stop needs an entry price.' }
          : atrStopFromBars(draft, bars.bars, entry, spec);
  return (
    // Folded by default: the calculator must fit a 640-pixel-high window without hiding its result.
    <details className="calc-atr" data-testid="calc-atr">
      <summary className="field-label" data-testid="calc-atr-toggle">
        Stop from ATR
      </summary>
      <div className="calc-atr-grid">
        <NumberField
          label="Period"
          value={draft.atrPeriod}
          testId="calc-atr-period"
          step={1}
          onChange={(atrPeriod) => {
            props.onChange({ atrPeriod });
          }}
        />
        <NumberField
          label="× ATR"
          value={draft.atrMultiplier}
          testId="calc-atr-multiplier"
          step={0.5}
          onChange={(atrMultiplier) => {
            props.onChange({ atrMultiplier });
          }}
        />
        <div className="field">
          <span className="field-label">Smoothing</span>
          <Segmented
            value={draft.atrSmoothing}
            testId="calc-atr-smoothing"
            label="ATR smoothing"
            options={[
              { value: 'wilder', label: 'Wilder' },
              { value: 'simple', label: 'MT5' },
            ]}
            onChange={(atrSmoothing) => {
              props.onChange({ atrSmoothing });
            }}
          />
        </div>
      </div>
      <div className="calc-atr-foot">
        <span className="muted small" data-testid="calc-atr-value">
          {outcome === null || spec === undefined
            ? ''
            : outcome.ok
              ? `ATR ${outcome.atr.toFixed(spec.digits + 1)} (${formatPips(Math.round(priceToPips(outcome.atr, spec) * 10) / 10)} pips) on ${bars?.timeframe ?? ''}, ${outcome.bars} closed bars → stop ${outcome.stop.toFixed(spec.digits)}`
              : outcome.message}
        </span>
        <button
          type="button"
          className="btn"
          data-testid="calc-atr-apply"
          disabled={outcome === null || !outcome.ok || spec === undefined}
          onClick={() => {
            if (outcome === null || !outcome.ok || spec === undefined) return;
            props.onChange({ slUnit: 'price', sl: outcome.stop.toFixed(spec.digits) });
          }}
        >
          Set stop
        </button>
      </div>
    </details>
  );
}
