import { useEffect, useState, type ReactNode } from 'react';
import type { PaperCostsStatus } from '../../../src-core/contracts/ipc-paper';
import { useApp, useBusy, useController, usePlaceError } from '../../store/use-app';
import { ConfirmNote } from '../../ui/ConfirmNote';
import { InlineError, NumberField } from '../../ui/controls';

/**
 * Settings → the paper account: what it is, and a reset behind a confirmation (balance, positions, orders and
 * history are deleted and it starts again from its starting balance). See docs/paper-trading.md.
 */
export function PaperSection(): ReactNode {
  const controller = useController();
  const bridge = useApp((s) => s.bridge);
  const error = usePlaceError('paper-reset');
  const isBusy = useBusy('paper-reset');
  const [isConfirming, setConfirming] = useState(false);
  const [isReset, setReset] = useState(false);
  const paper = bridge?.sessions.find((s) => s.isPaper === true);
  if (paper === undefined) return null;
  return (
    <div className="paper-settings" data-testid="settings-paper">
      <p className="muted small">
        <span className="paper-mark">PAPER</span> {paper.login} @ {paper.server}: simulated fills at the live
        terminal&apos;s prices, kept across restarts. Nothing is ever sent to MT5 from it.
      </p>
      {isConfirming ? (
        <ConfirmNote
          testId="settings-paper-reset"
          confirmLabel="Reset paper account"
          busyLabel="Resetting…"
          isBusy={isBusy}
          onConfirm={() => {
            void controller.resetPaper().then((isDone) => {
              setConfirming(false);
              setReset(isDone);
            });
          }}
          onCancel={() => {
            setConfirming(false);
          }}
        >
          Reset the paper account? Its balance, open positions, pending orders and history are deleted and it
          starts again from its starting balance. The live account is not touched.
        </ConfirmNote>
      ) : (
        <div className="row">
          <button
            type="button"
            className="btn small"
            data-testid="settings-paper-reset"
            onClick={() => {
              setReset(false);
              setConfirming(true);
            }}
          >
            Reset paper account…
          </button>
          {isReset ? (
            <span className="muted small" data-testid="settings-paper-reset-done">
              The paper account starts again.
            </span>
          ) : null}
        </div>
      )}
      <InlineError message={error} testId="settings-paper-error" />
      <PaperCostsForm sessionKey={paper.id} />
    </div>
  );
}

/** Where the commission came from, in words. */
function commissionOrigin(from: string): string {
  if (from.startsWith('profile:')) return `the ${from.slice('profile:'.length)} broker profile`;
  if (from === 'trader') return 'set here';
  return 'no broker profile matched this server';
}

/**
 * Commission per lot per side and slippage in points against the trader on fills at market (never on limit
 * orders); docs/paper-trading.md, "Costs". Saved with the paper account and kept through a reset.
 */
function PaperCostsForm(props: { sessionKey: string }): ReactNode {
  const controller = useController();
  const error = usePlaceError('paper-costs');
  const isBusy = useBusy('paper-costs');
  const [costs, setCosts] = useState<PaperCostsStatus | null>(null);
  const [commission, setCommission] = useState('');
  const [slippage, setSlippage] = useState('');
  const show = (next: PaperCostsStatus | null): void => {
    setCosts(next);
    if (next === null) return;
    setCommission(String(next.commissionPerLotPerSide));
    setSlippage(String(next.slippagePoints));
  };
  useEffect(() => {
    let isCurrent = true;
    void controller.paperStatus().then((status) => {
      if (isCurrent) show(status?.costs ?? null);
    });
    return () => {
      isCurrent = false;
    };
  }, [controller, props.sessionKey]);
  if (costs === null) return null;
  const commissionValue = Number(commission.replace(',', '.'));
  const slippageValue = Number(slippage);
  const isCommissionValid = commission.trim() !== '' && commissionValue >= 0 && commissionValue <= 1_000;
  const isSlippageValid =
    slippage.trim() !== '' &&
    Number.isInteger(slippageValue) &&
    slippageValue >= 0 &&
    slippageValue <= 10_000;
  return (
    <div className="paper-costs" data-testid="settings-paper-costs">
      <div className="row">
        <NumberField
          label="Commission per lot per side"
          value={commission}
          onChange={setCommission}
          testId="settings-paper-commission"
          invalid={!isCommissionValid}
        />
        <NumberField
          label="Slippage (points against you)"
          value={slippage}
          onChange={setSlippage}
          testId="settings-paper-slippage"
          invalid={!isSlippageValid}
          step={1}
        />
        <button
          type="button"
          className="btn small"
          data-testid="settings-paper-costs-save"
          disabled={isBusy || !isCommissionValid || !isSlippageValid}
          onClick={() => {
            void controller
              .setPaperCosts({ commissionPerLotPerSide: commissionValue, slippagePoints: slippageValue })
              .then((status) => {
                if (status?.costs != null) show(status.costs);
              });
          }}
        >
          Save costs
        </button>
      </div>
      <p className="muted small" data-testid="settings-paper-costs-origin">
        Commission: {commissionOrigin(costs.commissionFrom)}. Slippage applies to market orders, closes, stop
        orders and stop losses, never to limit orders or take-profits; 0 turns it off.
      </p>
      <InlineError message={error} testId="settings-paper-costs-error" />
    </div>
  );
}
