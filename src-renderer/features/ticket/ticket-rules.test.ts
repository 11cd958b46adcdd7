import { describe, expect, it } from 'vitest';
import type { RiskLimits } from '../../../src-core/contracts/ipc';
import { DEFAULT_TICKET, type TicketDraft } from '../../store/drafts-slice';
import { readTicket, type TicketContext } from './ticket-model';
import { checkTicket, checkTicketLimits } from './ticket-rules';
import { marginVerdict } from './use-margin-check';
import { catalogSpec, testAccount } from '../../testing/fixtures';

const account = testAccount({ marginMode: 'netting', equity: 8_000, profit: -2_000, freeMargin: 8_000 });
const limits: RiskLimits = {
  maxLotSize: 2,
  maxOpenPositions: 1,
  maxRiskPercent: 1,
  isRetryAllowed: true,
  maxRetries: 1,
};
const ctx: TicketContext = {
  spec: catalogSpec('EURUSD'),
  quote: { bid: 1.085, ask: 1.0851 },
  account,
  rates: {},
  nowMs: Date.UTC(2026, 10, 28, 9),
  zone: { kind: 'server', offsetSec: 0 },
  serverOffsetSec: 0,
};
const model = (draft: Partial<TicketDraft>, positions: { symbol: string }[] = []) => {
  const full = { ...DEFAULT_TICKET, symbol: 'EURUSD', ...draft };
  return checkTicketLimits(checkTicket(readTicket(full, ctx), full, ctx), { limits, account, positions });
};

describe('the ticket applies the trader’s limits before sending', () => {
  it('refuses over the max lot, over max positions, and over max risk % of the equity', () => {
    // 3 lots × 20 pips × 10 USD = 600 > 1 % of the 8,000 equity (80); 3 > 2 lots; a second position > 1.
    const m = model({ volume: '3', sl: '20' }, [{ symbol: 'GBPUSD' }]);
    expect(m.order).toBeNull();
    expect(m.problems).toEqual([
      expect.stringMatching(/above your maximum lot size of 2/),
      expect.stringMatching(/1 positions are open and your limit is 1/),
      expect.stringMatching(/risks 600\.00 USD .* your limit is 1% \(80\.00 USD\)/),
    ]);
  });
  it('lets a netting add through the positions limit and asks for a stop under a risk limit', () => {
    const m = model({ volume: '0.4', sl: '20' }, [{ symbol: 'EURUSD' }]);
    // 0.4 × 200 = 80.00: exactly the limit, and adding to the netting position opens none.
    expect(m.problems).toEqual([]);
    expect(m.order).not.toBeNull();
    expect(model({ volume: '0.4' }).problems).toEqual([expect.stringMatching(/A stop loss is required/)]);
  });
});

describe('the terminal’s margin answer', () => {
  it('blocks only when the margin is above the free margin, in cents', () => {
    expect(marginVerdict(8_000.004, 8_000, 'USD', 2)).toEqual({ status: 'ok', margin: 8_000.004 });
    const short = marginVerdict(13_251.3, 8_000, 'USD', 2);
    expect(short.status).toBe('short');
    if (short.status === 'short')
      expect(short.message).toMatch(/needs 13,251\.30\sUSD of margin; 8,000\.00\sUSD is free/);
  });
});
