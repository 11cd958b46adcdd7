import { useCallback, useRef, type ReactNode } from 'react';
import { useApp, useBusy, useController } from '../store/use-app';
import { useFocusTrap } from '../ui/use-focus-trap';

/**
 * Where to start when no terminal has been connected since the window opened (a first run, or Pipdesk started
 * while MT5 is closed): connect the EA (the installer in Settings, with the steps left in MT5) or try the demo. It sits over the empty chart and
 * leaves when a terminal connects. docs/user-guide.md, First run.
 */
export function GettingStarted(): ReactNode {
  const isShown = useApp(
    (s) =>
      s.transport !== 'lost' && !s.hasHadTerminal && s.account === null && s.bridge?.state === 'disconnected',
  );
  const openSettings = useApp((s) => s.setSettingsOpen);
  const controller = useController();
  const isDemoBusy = useBusy('demo');
  if (!isShown) return null;
  const showInstaller = (): void => {
    openSettings(true);
    // After the sheet has mounted and its focus trap has taken focus: go to the installer's first step.
    requestAnimationFrame(() => {
      const find = document.querySelector<HTMLElement>('[data-testid="installer-find"]');
      find?.scrollIntoView({ block: 'center' });
      find?.focus();
    });
  };
  return (
    <section
      className="getting-started"
      aria-labelledby="getting-started-title"
      data-testid="getting-started"
    >
      <h2 id="getting-started-title">Start here</h2>
      <p>
        Pipdesk trades through your MetaTrader 5 terminal: a small Expert Advisor (EA) in MT5 passes prices
        and orders to this app. No terminal is connected yet.
      </p>
      <ol>
        <li>
          <strong>Connect your MT5.</strong> Install the EA into your terminal, then in MT5 allow Algo Trading
          and attach the EA to any chart. The app connects by itself.
          <button
            type="button"
            className="btn accent"
            data-testid="getting-started-install"
            onClick={showInstaller}
          >
            Install the EA…
          </button>
        </li>
        <li>
          <strong>Or try it first.</strong> The demo is a simulated terminal with a practice account: prices
          move and orders fill, and nothing reaches a broker.
          <button
            type="button"
            className="btn"
            data-testid="getting-started-demo"
            disabled={isDemoBusy}
            onClick={() => {
              void controller.startDemo();
            }}
          >
            {isDemoBusy ? 'Starting…' : 'Start demo'}
          </button>
        </li>
      </ol>
      <p className="muted small">The user guide (docs/user-guide.md) walks through every screen.</p>
    </section>
  );
}

/**
 * The one-time warning before one-click trading is first turned on: with it on, a click on Buy or Sell (or Alt+B)
 * sends the order at once, with no confirmation. "Turn on" stores that the trader has read it
 * (`isOneClickRiskAcknowledged`) together with switching it on, so it is never asked again; Cancel leaves it off.
 */
export function OneClickWarning(): ReactNode {
  const place = useApp((s) => s.oneClickWarning);
  const setWarning = useApp((s) => s.setOneClickWarning);
  const controller = useController();
  const dialogRef = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const cancel = useCallback(() => {
    setWarning(null);
  }, [setWarning]);
  // Cancel has the focus at first: Enter on a dialog that turns off confirmations must not agree by accident.
  useFocusTrap(dialogRef, place !== null, cancel, cancelRef);
  if (place === null) return null;
  return (
    <div className="modal-backdrop">
      <div
        ref={dialogRef}
        className="modal"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="one-click-warning-title"
        aria-describedby="one-click-warning-body"
        data-testid="one-click-warning"
      >
        <h2 id="one-click-warning-title">Turn on one-click trading?</h2>
        <div id="one-click-warning-body">
          <p>
            With one-click on, a single click on <strong>Buy</strong> or <strong>Sell</strong> — in a
            one-click panel, the order ticket, a Close button or a keyboard shortcut such as Alt+B — sends the
            order to your broker at once. There is <strong>no confirmation</strong> and no way to take it
            back.
          </p>
          <p>Turn it off at any time in the one-click bar or in Settings; every order then asks first.</p>
          <p className="muted small">This warning is shown once.</p>
        </div>
        <div className="modal-actions">
          <button
            ref={cancelRef}
            type="button"
            className="btn ghost"
            data-testid="one-click-warning-cancel"
            onClick={cancel}
          >
            Keep confirmations
          </button>
          <button
            type="button"
            className="btn accent"
            data-testid="one-click-warning-ok"
            onClick={() => {
              setWarning(null);
              void controller.updateSettings(place, {
                isOneClickEnabled: true,
                isOneClickRiskAcknowledged: true,
              });
            }}
          >
            I understand, turn it on
          </button>
        </div>
      </div>
    </div>
  );
}
