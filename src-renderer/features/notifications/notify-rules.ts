import type { AccountInfo } from '../../../src-core/contracts/ipc';
import type { NotificationEvent } from '../../../src-core/contracts/notification-settings';
import type { Deal } from '../../../src-core/history/deal';
import { formatPrice, formatSignedMoney, formatVolume } from '../../app/format';

/**
 * What to tell the trader about, decided from plain data (docs/ui.md, "Notifications"). The effects (notice, OS
 * notification, sound) are in notifier.ts; the switches in Settings decide which of them run.
 */
export interface Announcement {
  readonly event: NotificationEvent;
  readonly tone: 'ok' | 'error' | 'info';
  readonly title: string;
  readonly body: string;
  /** One per event: the OS replaces a notification with the same tag, so two windows never show it twice. */
  readonly tag: string;
}

/** What the rules need to know about Pipdesk's own orders (from the journal the renderer holds). */
export interface OwnOrders {
  /** The operation of the journalled intent whose client order id is this comment, if any. */
  operationOf(comment: string): string | undefined;
}

/**
 * A new deal, as news. Pipdesk's own market orders and closes are already told by their answer ("Bought 0.20
 * EURUSD at …"), so their deals say nothing more; a pending order that fills later, a trade made in MT5 itself,
 * and closes by stop loss, take profit or stop-out do.
 */
export function announceDeal(
  deal: Deal,
  own: OwnOrders,
  digitsOf: (symbol: string) => number | undefined,
  currency: string | undefined,
): Announcement | null {
  if (deal.kind !== 'buy' && deal.kind !== 'sell') return null;
  const digits = digitsOf(deal.symbol) ?? 5;
  const lots = formatVolume(deal.volume);
  const at = formatPrice(deal.price, digits);
  const money = formatSignedMoney(deal.profit + deal.swap + deal.commission, currency);
  const closed = `${deal.kind === 'buy' ? 'Sell' : 'Buy'} ${lots} ${deal.symbol} closed at ${at}: ${money}`;
  const tag = `deal-${deal.ticket}`;
  if (deal.entry !== 'in' && deal.reason === 'sl') {
    return {
      event: 'stopHit',
      tone: 'error',
      title: `Stop loss hit on ${deal.symbol}`,
      body: `${closed}.`,
      tag,
    };
  }
  if (deal.entry !== 'in' && deal.reason === 'tp') {
    return {
      event: 'stopHit',
      tone: 'ok',
      title: `Take profit hit on ${deal.symbol}`,
      body: `${closed}.`,
      tag,
    };
  }
  if (deal.entry !== 'in' && deal.reason === 'so') {
    return {
      event: 'stopOut',
      tone: 'error',
      title: 'Stop-out: the broker closed a position',
      body: `${closed}. Margin fell below the broker's stop-out level.`,
      tag,
    };
  }
  if (deal.entry !== 'in' && deal.entry !== 'inout') return null;
  const operation = own.operationOf(deal.comment);
  if (operation === 'open_market') return null;
  const side = deal.kind === 'buy' ? 'Buy' : 'Sell';
  const what = operation === 'place_pending' ? 'Pending order filled' : 'Filled in MetaTrader 5';
  return {
    event: 'fill',
    tone: 'info',
    title: `${what}: ${side} ${lots} ${deal.symbol}`,
    body: `${side} ${lots} ${deal.symbol} at ${at}.`,
    tag,
  };
}

/**
 * Margin call: the margin level fell to or below the broker's call level (MT5 sends no event for it; the account
 * figures show it). Told once per crossing: again only after the level has recovered above it.
 */
export function announceMarginCall(
  before: Pick<AccountInfo, 'marginLevel'> | null,
  after: Pick<AccountInfo, 'marginLevel' | 'currency'>,
  callLevelPercent: number,
): Announcement | null {
  const isBelow = (level: number | null | undefined): boolean =>
    level !== null && level !== undefined && level <= callLevelPercent;
  if (!isBelow(after.marginLevel) || isBelow(before?.marginLevel)) return null;
  return {
    event: 'marginCall',
    tone: 'error',
    title: 'Margin call',
    body: `Margin level ${(after.marginLevel ?? 0).toFixed(1)}% is at or below ${callLevelPercent}%. Close or reduce positions, or add funds, before the broker stops you out.`,
    tag: `margin-call-${Math.round(callLevelPercent)}`,
  };
}

/** The link to MT5 dropped: told once per drop (the status bar keeps saying it). */
export function announceLinkLoss(reason: string | null): Announcement {
  return {
    event: 'linkLoss',
    tone: 'error',
    title: 'MT5 link lost',
    body: reason ?? 'No terminal is connected.',
    tag: 'link-loss',
  };
}
