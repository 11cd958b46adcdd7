import { ok, type Result } from '../../src-core/result';
import type { IpcChannel, IpcRequest, IpcResponse } from '../../src-core/contracts/ipc';
import { toOrderAnswer } from '../../src-core/contracts/orders';
import type { DesktopPorts, MaybePromise } from './ports';

/** The implementation of one channel: gets the validated request, answers a Result (never throws on purpose). */
export type IpcHandler<K extends IpcChannel> = (request: IpcRequest<K>) => MaybePromise<IpcResponse<K>>;

/** One handler per channel; a channel without a handler does not compile. */
export type IpcHandlers = { readonly [K in IpcChannel]: IpcHandler<K> };

const mapOk = async <T, U>(result: MaybePromise<Result<T>>, f: (value: T) => U): Promise<Result<U>> => {
  const r = await result;
  return r.ok ? ok(f(r.value)) : r;
};

/** The handler map of the desktop IPC API over the ports of src-main. */
export function createIpcHandlers(ports: DesktopPorts): IpcHandlers {
  const { market, trading, journal, settings, demo, installer } = ports;
  return {
    'app:get-info': () => ok(ports.info()),

    'bridge:get-status': () => ok(market.status()),
    'bridge:select-session': (req) => market.selectSession(req.sessionId),
    'bridge:rotate-token': () => ports.pairing.rotateToken(),

    'account:get-info': () => market.account(),

    'symbols:list': () => mapOk(market.symbols(), (symbols) => ({ symbols: [...symbols] })),
    'symbols:get-spec': (req) => market.spec(req.symbol),

    'quotes:get-snapshot': (req) => mapOk(market.quotes(req.symbols), (q) => ({ quotes: [...q] })),
    'quotes:subscribe': (req) => mapOk(market.subscribe(req.symbols), (s) => ({ symbols: [...s] })),
    'quotes:unsubscribe': (req) => mapOk(market.unsubscribe(req.symbols), (s) => ({ symbols: [...s] })),

    'positions:list': () => mapOk(market.positions(), (p) => ({ positions: [...p] })),
    'orders:list-pending': () => mapOk(market.orders(), (o) => ({ orders: [...o] })),

    'orders:open-market': async (req) => toOrderAnswer(await trading.openMarket(req)),
    'orders:place-pending': async (req) => toOrderAnswer(await trading.placePending(req)),
    'orders:modify-position': async (req) => toOrderAnswer(await trading.modifyPosition(req)),
    'orders:modify-order': async (req) => toOrderAnswer(await trading.modifyOrder(req)),
    'orders:close-position': async (req) => toOrderAnswer(await trading.closePosition(req)),
    'orders:close-all': async (req) => toOrderAnswer(await trading.closeAll(req)),
    'orders:cancel-order': async (req) => toOrderAnswer(await trading.cancelOrder(req)),

    'margin:calc': (req) => market.calcMargin(req),

    'journal:query': async (req) => ok(await journal.query(req)),

    'settings:get': () => ok(settings.get()),
    'settings:set': (req) => settings.set(req.patch),

    'demo:start': (req) => demo.start(req),
    'demo:stop': () => demo.stop(),

    'installer:find-terminals': async () => ok(await installer.find()),
    'installer:install-ea': (req) => installer.install(req.dataPath),

    ...ports.cloud,
    ...ports.chart,
    ...ports.tradeRules,
    ...ports.history,
    ...ports.paper,
    ...ports.recording,
    ...ports.report,
    ...ports.replay,
  } satisfies IpcHandlers;
}
