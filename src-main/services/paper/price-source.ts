import type { BridgeServer } from '../../../src-bridge/server/bridge-server';
import type { ParamsOf, ResultOf, WireAccount } from '../../../src-bridge/protocol/messages';
import { toSymbolSpec } from '../../../src-bridge/protocol/enums';
import { appError, err, ok, type Result } from '../../../src-core/result';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';

/** A live price from the terminal a paper account follows (times on that trade server's clock). */
export interface LiveTick {
  readonly symbol: string;
  readonly bid: number;
  readonly ask: number;
  readonly timeMsc: number;
}

/**
 * What a paper account may ask of the live terminal: its account's currency and leverage, its Market Watch, symbol
 * specifications, quotes and a tick subscription. Nothing else: this interface is the paper engine's only link to the
 * real terminal, so it has no way to send, check or look up an order there (docs/paper-trading.md, "Why paper can
 * never reach the real terminal").
 */
export interface PriceSource {
  /** `login@server` of the live terminal. */
  readonly key: string;
  /** Whether that terminal's session is open now. */
  isOpen(): boolean;
  /** The live trade server's clock minus UTC, seconds. */
  timeOffsetSec(): number;
  account(): Promise<Result<WireAccount>>;
  /** Names of the symbols shown in the terminal's Market Watch. */
  marketWatch(): Promise<Result<readonly string[]>>;
  spec(symbol: string): Promise<Result<SymbolSpec>>;
  quote(symbol: string): Promise<Result<LiveTick>>;
  /** Asks the terminal to stream ticks of a symbol (adding to what it already streams). */
  subscribe(symbol: string): Promise<Result<void>>;
  /** Every tick the live terminal streams. Returns unsubscribe. */
  onTick(listener: (tick: LiveTick) => void): () => void;
  /** Called when the live terminal's session opens again (a reconnect loses its subscriptions). */
  onReopened(listener: () => void): () => void;
  /** Called when the live terminal's session closes (its prices stop). */
  onClosed(listener: () => void): () => void;
}

/** The only requests a price source sends; `order_send`, `order_check` and `lookup` are not among them. */
type PriceRequest = 'account' | 'symbols' | 'symbol_spec' | 'quote' | 'subscribe';

/**
 * A {@link PriceSource} over the pipe server's session `key`. The server itself stays here: what leaves this function
 * can only make the five read requests of `PriceRequest`.
 */
export function sessionPriceSource(server: BridgeServer, key: string): PriceSource {
  async function read<T extends PriceRequest>(type: T, params: ParamsOf<T>): Promise<Result<ResultOf<T>>> {
    const r = await server.request(key, type, params);
    if (r.ok) return ok(r.value);
    return err(
      appError(
        r.error.code === 'NOT_CONNECTED' ? 'NOT_CONNECTED' : 'TERMINAL_ERROR',
        `The live terminal ${key} did not answer ${type}: ${r.error.message}`,
      ),
    );
  }
  return {
    key,
    isOpen: () => server.session(key)?.isOpen === true,
    timeOffsetSec: () => server.session(key)?.timeOffsetSec ?? 0,
    account: () => read('account', {}),
    async marketWatch() {
      const r = await read('symbols', {});
      return r.ok ? ok(r.value.symbols.filter((s) => s.selected).map((s) => s.name)) : r;
    },
    async spec(symbol) {
      const r = await read('symbol_spec', { symbol });
      return r.ok ? toSymbolSpec(r.value) : r;
    },
    async quote(symbol) {
      const r = await read('quote', { symbol });
      return r.ok ? ok({ symbol, bid: r.value.bid, ask: r.value.ask, timeMsc: r.value.timeMsc }) : r;
    },
    async subscribe(symbol) {
      const r = await read('subscribe', { symbol });
      return r.ok ? ok(undefined) : r;
    },
    onTick: (listener) =>
      server.onTick((tick, session) => {
        if (session.key === key)
          listener({ symbol: tick.symbol, bid: tick.bid, ask: tick.ask, timeMsc: tick.timeMsc });
      }),
    onReopened: (listener) =>
      server.onSession((event) => {
        if (event.kind === 'opened' && event.session.key === key) listener();
      }),
    onClosed: (listener) =>
      server.onSession((event) => {
        if (event.kind === 'closed' && event.session.key === key) listener();
      }),
  };
}
