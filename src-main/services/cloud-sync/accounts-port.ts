import type { BridgeServer } from '../../../src-bridge/server/bridge-server';
import type { StatusSnapshot } from '../../../src-core/contracts/connector';
import type { AccountKey } from './links';

/** An MT5 account the bridge has seen (a terminal with the EA, or the simulator). */
export interface SeenAccount {
  readonly key: AccountKey;
  readonly login: string;
  readonly server: string;
  readonly company: string | undefined;
  readonly isConnected: boolean;
}

export type AccountStatus = Omit<StatusSnapshot, 'type' | 'at_ms'>;

/** What cloud sync needs from the bridge; {@link bridgeAccounts} builds it on the pipe server. */
export interface AccountsPort {
  accounts(): SeenAccount[];
  /** Terminals connected or gone. Returns unsubscribe. */
  onAccountsChanged(listener: () => void): () => void;
  /** Balance or positions of an account changed (a hint to send a status snapshot). Returns unsubscribe. */
  onAccountActivity(listener: (key: AccountKey) => void): () => void;
  /** The account's status now; `account: null` when its terminal is not connected. */
  status(key: AccountKey): Promise<AccountStatus>;
  /** The account trading requests go to now (journal entries are made on it). */
  activeAccount(): AccountKey | undefined;
}

/**
 * The accounts of a bridge server: every session that opened since start (a closed one stays listed as not
 * connected, so its link and queued entries stay visible), trading on the most recently opened one unless
 * `activeSession` says otherwise (the same default as trading-services.ts). A paper account's status says so
 * (`is_paper`), so the cloud never shows simulated money as the broker's.
 */
export function bridgeAccounts(
  server: BridgeServer,
  activeSession?: () => string | undefined,
  isPaperKey: (key: string) => boolean = () => false,
): AccountsPort {
  const seen = new Map<AccountKey, Omit<SeenAccount, 'isConnected'>>();
  const remember = (): void => {
    for (const s of server.sessions()) {
      const a = s.hello.account;
      seen.set(s.key, { key: s.key, login: a.login, server: a.server, company: a.company });
    }
  };
  remember();
  return {
    accounts: () => {
      remember();
      const open = new Set(server.sessions().map((s) => s.key));
      return [...seen.values()].map((a) => ({ ...a, isConnected: open.has(a.key) }));
    },
    onAccountsChanged: (listener) =>
      server.onSession(() => {
        remember();
        listener();
      }),
    onAccountActivity: (listener) => {
      const offAccount = server.onAccount((_event, session) => {
        listener(session.key);
      });
      const offTxn = server.onTradeChange((_change, session) => {
        listener(session.key);
      });
      return () => {
        offAccount();
        offTxn();
      };
    },
    async status(key) {
      const session = server.session(key);
      if (session === undefined) {
        return {
          terminal_connected: false,
          ea_connected: false,
          account: null,
          open_positions: 0,
          pending_orders: 0,
        };
      }
      const [account, positions, orders] = await Promise.all([
        server.request(key, 'account', {}),
        server.request(key, 'positions', {}),
        server.request(key, 'orders', {}),
      ]);
      return {
        terminal_connected: true,
        ea_connected: true,
        account: account.ok
          ? {
              login: account.value.login,
              server: account.value.server,
              currency: account.value.currency.slice(0, 6).padEnd(3, '_'),
              balance: account.value.balance,
              equity: account.value.equity,
              margin: account.value.margin,
              free_margin: account.value.marginFree,
              leverage: Math.max(1, account.value.leverage),
            }
          : null,
        open_positions: positions.ok ? positions.value.positions.length : 0,
        pending_orders: orders.ok ? orders.value.orders.length : 0,
        ...(isPaperKey(key) ? { is_paper: true } : {}),
      };
    },
    activeAccount() {
      const chosen = activeSession?.();
      if (chosen !== undefined) return chosen;
      const sessions = server.sessions();
      return sessions.reduce<(typeof sessions)[number] | undefined>(
        (latest, s) => (latest === undefined || s.openedAt >= latest.openedAt ? s : latest),
        undefined,
      )?.key;
    },
  };
}
