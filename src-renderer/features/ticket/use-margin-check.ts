import { useEffect, useRef, useState } from 'react';
import { roundMoney } from '../../../src-core/trading/numbers';
import { formatMoney } from '../../app/format';
import { useController } from '../../store/use-app';
import type { TicketModel } from './ticket-model';

/** How long the ticket waits after the last change before asking the terminal (typing a volume is many changes). */
export const MARGIN_CHECK_DELAY_MS = 300;

/** The terminal's margin check for the order on the ticket. */
export type MarginCheck =
  | { readonly status: 'idle' }
  /** Asked, no answer yet: the send button stays usable; the executor checks the margin again before sending. */
  | { readonly status: 'checking' }
  | { readonly status: 'ok'; readonly margin: number }
  | { readonly status: 'short'; readonly message: string }
  /** The terminal could not say (no link, no price): nothing is blocked on it. */
  | { readonly status: 'unknown'; readonly message: string };

/**
 * The terminal's answer read against the free margin: short when the order's margin (OrderCalcMargin) is more
 * than the free margin, compared in the currency's decimals as the executor compares (risk-limits.ts).
 */
export function marginVerdict(
  margin: number,
  freeMargin: number,
  currency: string,
  digits: number,
): MarginCheck {
  if (roundMoney(margin, digits) <= roundMoney(freeMargin, digits)) return { status: 'ok', margin };
  return {
    status: 'short',
    message: `The terminal says this order needs ${formatMoney(margin, currency)} of margin; ${formatMoney(freeMargin, currency)} is free.`,
  };
}

interface Answer {
  readonly key: string;
  readonly check: MarginCheck;
}

/**
 * Asks the terminal's `calc_margin` (through `margin:calc`) about the ticket's order, debounced, and answers
 * "checking" until the answer for exactly this order arrives (docs/ui.md, order ticket). Never waits on the
 * terminal: a slow or failed answer blocks nothing, and the executor's own margin check stays authoritative.
 * Market orders are keyed without their price, so ticks do not re-ask; pending orders with it.
 */
export function useTerminalMarginCheck(
  order: TicketModel['order'],
  account: { readonly freeMargin: number; readonly currency: string; readonly currencyDigits: number } | null,
): MarginCheck {
  const controller = useController();
  const [answer, setAnswer] = useState<Answer | null>(null);
  const accountRef = useRef(account);
  useEffect(() => {
    accountRef.current = account;
  }, [account]);

  const request =
    order === null
      ? null
      : order.kind === 'market'
        ? { symbol: order.input.symbol, side: order.input.side, volume: order.input.volume }
        : {
            symbol: order.input.symbol,
            side: order.input.kind.startsWith('buy') ? ('buy' as const) : ('sell' as const),
            volume: order.input.volume,
            price: order.input.price,
          };
  const key = request === null ? null : JSON.stringify(request);

  useEffect(() => {
    if (key === null) return;
    let isCurrent = true;
    const timer = setTimeout(() => {
      const req = JSON.parse(key) as { symbol: string; side: 'buy' | 'sell'; volume: number; price?: number };
      void controller.client.invoke('margin:calc', req).then((r) => {
        if (!isCurrent) return;
        const acc = accountRef.current;
        const check: MarginCheck = !r.ok
          ? { status: 'unknown', message: r.error.message }
          : acc === null
            ? { status: 'unknown', message: 'No account.' }
            : marginVerdict(r.value.margin, acc.freeMargin, acc.currency, acc.currencyDigits);
        setAnswer({ key, check });
      });
    }, MARGIN_CHECK_DELAY_MS);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [key, controller]);

  if (key === null) return { status: 'idle' };
  if (answer === null || answer.key !== key) return { status: 'checking' };
  return answer.check;
}
