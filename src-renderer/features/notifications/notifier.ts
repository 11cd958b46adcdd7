import type { IpcClient } from '../../../src-core/contracts/ipc-client';
import type { AccountInfo, BridgeStatus } from '../../../src-core/contracts/ipc';
import { DEFAULT_NOTIFICATION_SETTINGS } from '../../../src-core/contracts/notification-settings';
import type { Deal } from '../../../src-core/history/deal';
import type { AppStore } from '../../store/app-store';
import { announceDeal, announceLinkLoss, announceMarginCall, type Announcement } from './notify-rules';
import type { PlaySound } from './sound';
import { markPaper } from '../paper/PaperMark';

/** Shows an OS notification; resolves whether one was shown. */
export type ShowDesktop = (a: Pick<Announcement, 'title' | 'body' | 'tag'>) => Promise<boolean>;

/** The margin call level assumed when the broker states none in percent (MT5's common default). */
export const DEFAULT_MARGIN_CALL_PERCENT = 100;

export interface Notifier {
  /** New deals from main (each arrives once; see `history:deals-added`). */
  onDeals(deals: readonly Deal[]): void;
  stop(): void;
}

/**
 * Runs each announcement through the trader's switches (Settings → Notifications): a notice in the app, an OS
 * notification, a beep. Watches the store for margin-call crossings and link drops. A notice only ever follows a
 * fresh event, so nothing old resurfaces (docs/ui.md, "Notifications").
 */
export function createNotifier(store: AppStore, desktop: ShowDesktop, play: PlaySound): Notifier {
  const state = () => store.getState();
  const tell = (original: Announcement): void => {
    // A paper account's deals and margin calls are simulated: the notification says so in its title.
    const a = { ...original, title: markPaper(state(), original.title) };
    const channels = (state().settings?.notifications ?? DEFAULT_NOTIFICATION_SETTINGS)[a.event];
    if (channels.isInApp) state().notify(a.tone, `${a.title}. ${a.body}`);
    if (channels.isDesktop) void desktop(a).catch(() => false);
    if (channels.isSound) play(a.tone === 'error' ? 'alert' : 'info');
  };

  let account: AccountInfo | null = state().account;
  let bridge: BridgeStatus | null = state().bridge;
  const off = store.subscribe((s) => {
    if (s.account !== account) {
      const before = account;
      account = s.account;
      if (account !== null && before !== null && before.login === account.login) {
        const level = account.marginCallPercent ?? DEFAULT_MARGIN_CALL_PERCENT;
        const a = announceMarginCall(before, account, level);
        if (a !== null) tell(a);
      }
    }
    if (s.bridge !== bridge) {
      const before = bridge;
      bridge = s.bridge;
      const wasUp = before !== null && before.state !== 'disconnected';
      // The in-app notice for a drop is the controller's (it has said so since the first release); this adds
      // the OS notification and the sound, by the same switch.
      if (wasUp && bridge?.state === 'disconnected') {
        const a = announceLinkLoss(bridge.reason);
        const channels = (state().settings?.notifications ?? DEFAULT_NOTIFICATION_SETTINGS).linkLoss;
        if (channels.isDesktop) void desktop(a).catch(() => false);
        if (channels.isSound) play('alert');
      }
    }
  });

  return {
    onDeals(deals) {
      const s = state();
      const byClientId = new Map(s.journal.map((e) => [e.clientOrderId, e.operation]));
      for (const deal of deals) {
        const a = announceDeal(
          deal,
          { operationOf: (comment) => byClientId.get(comment) },
          (symbol) => s.specs[symbol]?.digits,
          s.account?.currency,
        );
        if (a !== null) tell(a);
      }
    },
    stop: off,
  };
}

/**
 * OS notifications: main shows them in the Electron shell (`app:show-notification`); through the web host main
 * says it cannot, and the page uses the browser's Notification API when the trader has allowed it.
 */
export function desktopNotifications(client: IpcClient): ShowDesktop {
  return async (a) => {
    const answer = await client.invoke('app:show-notification', { title: a.title, body: a.body, tag: a.tag });
    if (answer.ok && answer.value.isShown) return true;
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return false;
    new Notification(a.title, { body: a.body, tag: a.tag });
    return true;
  };
}
