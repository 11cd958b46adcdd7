import { useCallback, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import type { Position } from '../../../src-core/contracts/ipc';
import type { TradeRuleView } from '../../../src-core/contracts/ipc-trade-rules';
import { StopRule, type DistanceUnit } from '../../../src-core/trading/stop-rules';
import { parseNumber } from '../../app/format';
import { useApp, useBusy, useController, usePlaceError } from '../../store/use-app';
import { InlineError, NumberField, Segmented } from '../../ui/controls';
import { useFocusTrap } from '../../ui/use-focus-trap';

/** Where a position's rule errors show. */
export const stopRulePlace = (ticket: string): string => `stop-rule:${ticket}`;

/** Said wherever rules are set: they run in the app, not in MT5 (docs/trade-management.md). */
export const RUNS_WHERE_TEXT =
  'Runs in Pipdesk while it is open. If Pipdesk is closed, the stop stays where it was last moved; the rule resumes when Pipdesk starts again.';

/** One short line for a rule: "Trail 20/5 pips · BE 15+2 pips". */
export function describeStopRule(rule: StopRule): string {
  const unit = rule.unit === 'pips' ? 'pips' : 'pts';
  const parts: string[] = [];
  if (rule.trailing !== null) parts.push(`Trail ${rule.trailing.distance}/${rule.trailing.step} ${unit}`);
  if (rule.breakEven !== null) parts.push(`BE ${rule.breakEven.trigger}+${rule.breakEven.offset} ${unit}`);
  return parts.join(' · ');
}

interface Draft {
  unit: DistanceUnit;
  isTrailing: boolean;
  distance: string;
  step: string;
  isBreakEven: boolean;
  trigger: string;
  offset: string;
}

function draftOf(rule: StopRule | undefined): Draft {
  return {
    unit: rule?.unit ?? 'pips',
    isTrailing: rule === undefined || rule.trailing !== null,
    distance: String(rule?.trailing?.distance ?? 20),
    step: String(rule?.trailing?.step ?? 5),
    isBreakEven: rule === undefined || rule.breakEven !== null,
    trigger: String(rule?.breakEven?.trigger ?? 15),
    offset: String(rule?.breakEven?.offset ?? 1),
  };
}

/** Reads the form into a rule, or says what is wrong in plain words. */
export function readStopRule(d: Draft): { ok: true; rule: StopRule } | { ok: false; message: string } {
  const num = (text: string): number => parseNumber(text) ?? Number.NaN;
  const candidate = {
    unit: d.unit,
    trailing: d.isTrailing ? { distance: num(d.distance), step: num(d.step) } : null,
    breakEven: d.isBreakEven ? { trigger: num(d.trigger), offset: num(d.offset) } : null,
  };
  const parsed = StopRule.safeParse(candidate);
  if (parsed.success) return { ok: true, rule: parsed.data };
  if (!d.isTrailing && !d.isBreakEven)
    return { ok: false, message: 'Turn on a trailing stop, a break-even, or both.' };
  const issue = parsed.error.issues[0];
  const field = issue?.path.at(-1);
  const words: Record<string, string> = {
    distance: 'The trailing distance must be a number above 0.',
    step: 'The trailing step must be a number above 0.',
    trigger: 'The break-even trigger must be a number above 0.',
    offset: 'The break-even offset must be 0 or more and smaller than the trigger.',
  };
  return {
    ok: false,
    message: (typeof field === 'string' ? words[field] : undefined) ?? 'Check the numbers.',
  };
}

/**
 * A position's trailing stop and break-even in a dialog over the app (the positions table is too narrow and
 * too short on a small window to hold the form): set, change, remove; what happened last and where it runs.
 */
export function StopRuleEditor(props: {
  position: Position;
  rule: TradeRuleView | undefined;
  onClose: () => void;
}): ReactNode {
  const { position: p, rule } = props;
  const controller = useController();
  const place = stopRulePlace(p.ticket);
  const error = usePlaceError(place);
  const isBusy = useBusy(place);
  const setError = useApp((s) => s.setError);
  const [d, setDraft] = useState<Draft>(() => draftOf(rule?.rule));
  const set = (patch: Partial<Draft>): void => {
    setDraft({ ...d, ...patch });
  };
  const unitLabel = d.unit === 'pips' ? 'pips' : 'points';
  const save = (): void => {
    const read = readStopRule(d);
    if (!read.ok) {
      setError(place, read.message);
      return;
    }
    void controller.setStopRule(place, p.ticket, read.rule);
  };
  const t = p.ticket;
  const dialogRef = useRef<HTMLDivElement>(null);
  const { onClose } = props;
  const close = useCallback(() => {
    setError(place, null);
    onClose();
  }, [setError, place, onClose]);
  useFocusTrap(dialogRef, true, close);
  return createPortal(
    <div className="modal-backdrop">
      <div
        ref={dialogRef}
        className="modal stop-rule"
        role="dialog"
        aria-modal="true"
        aria-label={`Trailing stop and break-even of #${t}`}
        data-testid={`rule-editor-${t}`}
      >
        <div className="stop-rule-head">
          <h2>
            Trailing stop &amp; break-even
            <span className="muted small">
              {' '}
              #{t} · {p.side} {p.volume} {p.symbol}
            </span>
          </h2>
          <Segmented
            value={d.unit}
            label="Distances in"
            testId={`rule-unit-${t}`}
            options={[
              { value: 'pips', label: 'Pips' },
              { value: 'points', label: 'Points' },
            ]}
            onChange={(unit) => {
              set({ unit });
            }}
          />
        </div>
        <div className="stop-rule-grid">
          <label className="check">
            <input
              type="checkbox"
              checked={d.isTrailing}
              data-testid={`rule-trailing-on-${t}`}
              onChange={(e) => {
                set({ isTrailing: e.target.checked });
              }}
            />
            Trailing stop
          </label>
          <NumberField
            label="Distance"
            suffix={unitLabel}
            value={d.distance}
            disabled={!d.isTrailing}
            testId={`rule-distance-${t}`}
            title="Once the position is this far in profit, the SL follows the market at this distance."
            step={1}
            onChange={(distance) => {
              set({ distance });
            }}
          />
          <NumberField
            label="Step"
            suffix={unitLabel}
            value={d.step}
            disabled={!d.isTrailing}
            testId={`rule-step-${t}`}
            title="The SL moves only when it can move by at least this much (one modify per step, not per tick)."
            step={1}
            onChange={(step) => {
              set({ step });
            }}
          />
          <label className="check">
            <input
              type="checkbox"
              checked={d.isBreakEven}
              data-testid={`rule-be-on-${t}`}
              onChange={(e) => {
                set({ isBreakEven: e.target.checked });
              }}
            />
            Break-even
          </label>
          <NumberField
            label="Trigger"
            suffix={unitLabel}
            value={d.trigger}
            disabled={!d.isBreakEven}
            testId={`rule-trigger-${t}`}
            title="Once the position is this far in profit, the SL goes to the open price plus the offset."
            step={1}
            onChange={(trigger) => {
              set({ trigger });
            }}
          />
          <NumberField
            label="Offset"
            suffix={unitLabel}
            value={d.offset}
            disabled={!d.isBreakEven}
            testId={`rule-offset-${t}`}
            title="Profit locked in beyond the open price."
            step={1}
            onChange={(offset) => {
              set({ offset });
            }}
          />
        </div>
        <p className="muted small stop-rule-where" data-testid={`rule-where-${t}`}>
          {RUNS_WHERE_TEXT}
        </p>
        {rule === undefined ? null : (
          <p className="small" data-testid={`rule-status-${t}`} data-status={rule.status}>
            <span className={`state-chip ${rule.status === 'paused' ? 'rejected' : 'done'}`}>
              {rule.status === 'paused' ? 'Paused' : 'Active'}
            </span>{' '}
            {describeStopRule(rule.rule)} · {rule.moves} move{rule.moves === 1 ? '' : 's'}
            {rule.note === null ? '' : ` · ${rule.note}`}
          </p>
        )}
        <InlineError message={error} testId={`rule-error-${t}`} />
        <div className="actions-row">
          <button
            type="button"
            className="btn tiny accent"
            data-testid={`rule-save-${t}`}
            disabled={isBusy}
            onClick={save}
          >
            {rule === undefined ? 'Start' : rule.status === 'paused' ? 'Save and re-arm' : 'Save'}
          </button>
          {rule === undefined ? null : (
            <button
              type="button"
              className="btn tiny ghost"
              data-testid={`rule-remove-${t}`}
              disabled={isBusy}
              onClick={() => {
                void controller.removeStopRule(place, p.ticket);
              }}
            >
              Stop rule
            </button>
          )}
          <button type="button" className="btn tiny ghost" data-testid={`rule-close-${t}`} onClick={close}>
            Close
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
