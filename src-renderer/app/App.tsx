import { useEffect, type ReactNode } from 'react';
import { Calculator } from '../features/calculator/Calculator';
import { ChartCentre } from '../features/chart/ChartPanel';
import { HistoryTab } from '../features/history/HistoryTab';
import { ReportTab } from '../features/report/ReportTab';
import { Journal } from '../features/journal/Journal';
import { MarketWatch } from '../features/market-watch/MarketWatch';
import { OneClickGrid, oneClickOrder } from '../features/one-click/OneClickPanel';
import { useOrderGuard } from '../features/one-click/use-order-guard';
import { PendingOrders } from '../features/positions/PendingOrders';
import { Positions, positionPlace } from '../features/positions/Positions';
import { ReplayBar } from '../features/replay/ReplayBar';
import { SettingsPanel } from '../features/settings/SettingsPanel';
import { StatusBar } from '../features/status/StatusBar';
import { OrderTicket } from '../features/ticket/OrderTicket';
import type { BottomTab } from '../store/ui-slice';
import { useApp, useAppStore, useController } from '../store/use-app';
import { formatVolume } from './format';
import { GettingStarted, OneClickWarning } from './FirstRun';
import { ConfirmDialog, Notices } from './Overlays';
import { SHORTCUTS, shortcutFor } from './shortcuts';

function useTheme(): void {
  const theme = useApp((s) => s.settings?.theme ?? 'dark');
  useEffect(() => {
    const media = window.matchMedia('(prefers-color-scheme: light)');
    const apply = (): void => {
      const resolved = theme === 'system' ? (media.matches ? 'light' : 'dark') : theme;
      document.documentElement.dataset['theme'] = resolved;
    };
    apply();
    media.addEventListener('change', apply);
    return () => {
      media.removeEventListener('change', apply);
    };
  }, [theme]);
}

function useShortcuts(): void {
  const store = useAppStore();
  const controller = useController();
  const guard = useOrderGuard();
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const action = shortcutFor(e);
      if (action === null) return;
      e.preventDefault();
      const state = store.getState();
      const symbol = state.selectedSymbol;
      switch (action) {
        case 'buy':
        case 'sell':
          if (symbol !== null) oneClickOrder(store, controller, guard, symbol, action);
          return;
        case 'close': {
          const position = state.positions.find((p) => p.symbol === symbol) ?? state.positions[0];
          if (position === undefined) {
            state.notify('info', 'No open position to close.');
            return;
          }
          state.setBottomTab('positions');
          guard(
            {
              title: `Close #${position.ticket}?`,
              lines: [
                `${position.side === 'buy' ? 'Buy' : 'Sell'} ${formatVolume(position.volume)} ${position.symbol} at market.`,
              ],
              confirmLabel: 'Close',
              tone: 'neutral',
            },
            () => {
              void controller.closePosition(positionPlace(position.ticket), { ticket: position.ticket });
            },
          );
          return;
        }
        case 'focus-ticket':
          state.requestTicketFocus();
          return;
        case 'calculator':
          state.setSideTab('calculator');
          return;
        case 'settings':
          state.setSettingsOpen(true);
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
    };
  }, [store, controller, guard]);
}

function BottomTabs(): ReactNode {
  const tab = useApp((s) => s.bottomTab);
  const setTab = useApp((s) => s.setBottomTab);
  const positions = useApp((s) => s.positions.length);
  const orders = useApp((s) => s.pendingOrders.length);
  // Without a terminal the counts are not known: "(0)" would say the account is flat when it may not be.
  const isLinkDown = useApp((s) => s.bridge?.state === 'disconnected' || s.transport === 'lost');
  const count = (n: number): string => (isLinkDown ? '?' : String(n));
  const tabs: readonly { id: BottomTab; label: string }[] = [
    { id: 'positions', label: `Positions (${count(positions)})` },
    { id: 'orders', label: `Orders (${count(orders)})` },
    { id: 'history', label: 'History' },
    { id: 'report', label: 'Report' },
    { id: 'journal', label: 'Journal' },
  ];
  return (
    <section className="panel bottom">
      <div className="tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={tab === t.id ? 'on' : ''}
            data-testid={`tab-${t.id}`}
            onClick={() => {
              setTab(t.id);
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      {tab === 'positions' ? (
        <Positions />
      ) : tab === 'orders' ? (
        <PendingOrders />
      ) : tab === 'history' ? (
        <HistoryTab />
      ) : tab === 'report' ? (
        <ReportTab />
      ) : (
        <Journal />
      )}
    </section>
  );
}

function SidePanel(): ReactNode {
  const tab = useApp((s) => s.sideTab);
  const setTab = useApp((s) => s.setSideTab);
  return (
    <section className="panel side">
      <div className="tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'ticket'}
          className={tab === 'ticket' ? 'on' : ''}
          data-testid="tab-ticket"
          onClick={() => {
            setTab('ticket');
          }}
        >
          Order ticket
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'calculator'}
          className={tab === 'calculator' ? 'on' : ''}
          data-testid="tab-calculator"
          onClick={() => {
            setTab('calculator');
          }}
        >
          Position size
        </button>
      </div>
      {tab === 'ticket' ? <OrderTicket /> : <Calculator />}
    </section>
  );
}

/**
 * The line under the workspace: the newest notice across the whole window width, so it is never cut short, and
 * the keyboard shortcuts when no notice needs the room (docs/ui.md, Layout).
 */
function StatusLine(): ReactNode {
  const hasNotice = useApp((s) => s.notices.length > 0);
  return (
    <footer className="statusline" data-notice={hasNotice ? 'yes' : 'no'} data-testid="status-line">
      <Notices />
      <div className="shortcut-hint muted small" data-testid="shortcut-hint">
        {SHORTCUTS.map((s) => (
          <span key={s.keys} title={s.label}>
            <kbd className="kbd">{s.keys}</kbd> {s.action.replace('-', ' ')}
          </span>
        ))}
      </div>
    </footer>
  );
}

/** The trading screen: status on top, market watch left, one-click panels centre, ticket right, tables below. */
export function App(): ReactNode {
  useTheme();
  useShortcuts();
  const appError = useApp((s) => s.errors['app']);
  // Prices on screen are stale while there is no terminal: shown dimmed rather than hidden, so nothing jumps.
  const isLinkDown = useApp(
    (s) => s.transport === 'lost' || s.bridge === null || s.bridge.state === 'disconnected',
  );
  return (
    <div className="app" data-testid="app" data-link={isLinkDown ? 'down' : 'up'}>
      <StatusBar />
      <ReplayBar />
      {appError === undefined ? null : (
        <div className="banner error" role="alert" data-testid="app-error">
          {appError}
        </div>
      )}
      <main className="workspace">
        <MarketWatch />
        <ChartCentre>
          <OneClickGrid />
        </ChartCentre>
        <SidePanel />
        <BottomTabs />
        <GettingStarted />
      </main>
      <StatusLine />
      <SettingsPanel />
      <ConfirmDialog />
      <OneClickWarning />
    </div>
  );
}
