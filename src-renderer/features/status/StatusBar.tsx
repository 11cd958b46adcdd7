import { PaperSwitch } from '../paper/PaperSwitch';
import { ReplayOpen } from '../replay/ReplayOpen';
import type { ReactNode } from 'react';
import { formatMoney, formatPercent } from '../../app/format';
import { ClockChip } from './ClockChip';
import { DayPnl } from '../history/DayPnl';
import { SessionPicker } from './SessionPicker';
import { describeBridge, describeCloud } from '../../store/connection-slice';
import { useApp, useBusy, useController, usePlaceError } from '../../store/use-app';

function Figure(props: {
  label: string;
  value: string;
  testId: string;
  tone?: 'pos' | 'neg' | 'warn';
}): ReactNode {
  return (
    <div className="figure">
      <span className="figure-label">{props.label}</span>
      <span className={`figure-value num ${props.tone ?? ''}`} data-testid={props.testId}>
        {props.value}
      </span>
    </div>
  );
}

/** The top bar: link to MT5, the account, the cloud, and the way to settings. */
export function StatusBar(): ReactNode {
  const bridge = useApp((s) => s.bridge);
  const transport = useApp((s) => s.transport);
  const account = useApp((s) => s.account);
  const cloud = useApp((s) => s.cloud);
  const cloudView = describeCloud(cloud);
  const openSettings = useApp((s) => s.setSettingsOpen);
  const controller = useController();
  const isDemoBusy = useBusy('demo');
  const demoError = usePlaceError('demo');
  const link = describeBridge(bridge, transport);
  const currency = account?.currency;
  const profit = account === null ? null : account.equity - account.balance;

  return (
    <header className="statusbar" data-testid="status-bar">
      <h1 className="brand">
        <span className="brand-mark" aria-hidden="true">
          ◆
        </span>{' '}
        Pipdesk
      </h1>
      <div
        className={`link-pill ${link.tone}`}
        data-testid="bridge-state"
        data-state={bridge?.state ?? 'unknown'}
        title={link.detail}
      >
        <span className="dot" />
        <span className="link-label">{link.label}</span>
      </div>
      {/* Beside the pill, not in it, so a narrow window can give the reason a line of its own, whole. */}
      {link.tone === 'down' ? (
        <span className="link-reason" data-testid="bridge-reason">
          {link.detail.replace(/^disconnected:\s*/i, '')}
        </span>
      ) : null}
      <SessionPicker />
      <PaperSwitch />
      <ReplayOpen />
      {bridge?.state === 'disconnected' && transport !== 'lost' ? (
        <button
          type="button"
          className="btn small accent"
          data-testid="start-demo"
          disabled={isDemoBusy}
          onClick={() => {
            void controller.startDemo();
          }}
        >
          {isDemoBusy ? 'Starting…' : 'Start demo'}
        </button>
      ) : null}
      {demoError === undefined ? null : (
        <span className="inline-error compact" data-testid="demo-error">
          {demoError}
        </span>
      )}
      {account === null ? (
        <div className="account-empty muted">No account</div>
      ) : (
        <div className="account" data-testid="account">
          <div className="figure">
            <span className="figure-label">
              {bridge?.state === 'paper' ? (
                <span className="paper-mark" data-testid="header-paper-mark">
                  PAPER
                </span>
              ) : bridge?.state === 'replay' ? (
                <span className="paper-mark replay" data-testid="header-replay-mark">
                  REPLAY
                </span>
              ) : account.accountTradeMode === 'real' ? (
                'Real'
              ) : account.accountTradeMode === 'demo' ? (
                'Demo'
              ) : (
                'Contest'
              )}{' '}
              · {account.marginMode}
            </span>
            <span className="figure-value" data-testid="account-login">
              {account.login} @ {account.server}
            </span>
          </div>
          <Figure label="Balance" value={formatMoney(account.balance, currency)} testId="account-balance" />
          <DayPnl />
          <Figure
            label="Equity"
            value={formatMoney(account.equity, currency)}
            testId="account-equity"
            {...(profit === null || profit === 0
              ? {}
              : { tone: profit > 0 ? ('pos' as const) : ('neg' as const) })}
          />
          <Figure label="Margin" value={formatMoney(account.margin, currency)} testId="account-margin" />
          <Figure
            label="Free margin"
            value={formatMoney(account.freeMargin, currency)}
            testId="account-free-margin"
          />
          <Figure
            label="Margin level"
            value={formatPercent(account.marginLevel)}
            testId="account-margin-level"
            {...(account.marginLevel !== null && account.marginLevel < 200 ? { tone: 'warn' as const } : {})}
          />
        </div>
      )}
      <div className="spacer" />
      <ClockChip />
      <div
        className={`cloud-pill ${cloudView.state}`}
        data-testid="cloud-state"
        data-state={cloudView.state}
        title={cloudView.detail}
      >
        {cloudView.label}
      </div>
      <button
        type="button"
        className="btn small ghost"
        data-testid="open-settings"
        onClick={() => {
          openSettings(true);
        }}
      >
        ⚙ Settings
      </button>
    </header>
  );
}
