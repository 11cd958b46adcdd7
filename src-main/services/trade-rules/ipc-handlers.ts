import type { z } from 'zod';
import type { tradeRulesIpcChannels } from '../../../src-core/contracts/ipc-trade-rules';
import { ok, type Result } from '../../../src-core/result';
import { openSplit, type OpenSplitDeps } from './open-split';
import type { TradeManager } from './trade-manager';

type Channels = typeof tradeRulesIpcChannels;
type TradeRulesChannel = keyof Channels;

/** The handlers of `tradeRulesIpcChannels`, merged into the app's handler map. */
export type TradeRulesIpcHandlers = {
  readonly [K in TradeRulesChannel]: (
    request: z.output<Channels[K]['request']>,
  ) => Promise<Result<z.output<Channels[K]['response']>>>;
};

/** Trade rules over IPC: the manager's list, set and remove, and split orders through the executor. */
export function tradeRulesIpcHandlers(manager: TradeManager, split: OpenSplitDeps): TradeRulesIpcHandlers {
  const list = () => ({ rules: manager.list(), runsWhere: 'app' as const });
  return {
    'stops:list-rules': () => Promise.resolve(ok(list())),
    'stops:set-rule': (req) => manager.set(req.ticket, req.rule),
    'stops:remove-rule': (req) => {
      const r = manager.remove(req.ticket);
      return Promise.resolve(r.ok ? ok(list()) : r);
    },
    'orders:open-split': (req) => openSplit(split, req),
  };
}
