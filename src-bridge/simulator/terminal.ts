import { connect } from 'node:net';
import { fillingCandidates, nextFillingCandidate, orderKindOf } from '../../src-core/trading/filling';
import { retcodeInfo } from '../../src-core/trading/retcodes';
import type { FillingMode } from '../../src-core/trading/symbol-spec';
import { Emitter } from '../../src-core/emitter';
import { systemClock, type Clock } from '../../src-core/clock';
import { FramedLink } from '../protocol/link';
import type { Logger } from '../../src-core/logger';
import { generateNonce, handshakeEndpoint, handshakeProof, proofsEqual } from '../protocol/handshake';
import {
  AppMessageSchemas,
  PROTOCOL_VERSION,
  RequestSchemas,
  type EaError,
  type EaErrorCode,
  type Hello,
  type Request,
  type RequestType,
  type TradeEventForm,
  type TradeResultWire,
  type WireResultOf,
  type WireSymbolSpec,
} from '../protocol/messages';
import { CALC_MODE_VALUE, EXECUTION_MODE_VALUE, TRADE_MODE_VALUE } from '../../src-core/trading/symbol-spec';
import type { Result } from '../../src-core/result';
import type { RatesRequest, RatesResult } from '../protocol/rates';
import { readPipeFile, readTokenFile } from '../server/endpoint';
import type { TradeParams, TradeServer } from './trade-server';
import { TradeEventBatch } from './trade-events';

/** What the EA answers when a symbol allows no filling mode it may send with (docs/mql5-functions.md, "Filling"). */
const NO_FILLING_WORDS = 'the symbol allows neither FOK nor IOC filling; nothing was sent';

/**
 * How the simulated EA fails its handshake (see {@link SimulatorFaults.handshake}): `bad-token` answers the
 * challenge with a wrong proof (without checking the app's), `bad-protocol` sends a v1 hello (with a
 * placeholder token, never the real one), `bad-hello` an invalid hello, `silent` nothing, `no-auth` a hello and
 * then nothing.
 */
export type HandshakeFault = 'bad-token' | 'bad-protocol' | 'bad-hello' | 'silent' | 'no-auth';

/**
 * Faults to inject, changeable at any time. Counters count `order_send` requests from the moment they are set
 * (1 = the next one) and clear themselves once they fire.
 */
export interface SimulatorFaults {
  /** Drop the link when the N-th next order_send arrives, before executing it. */
  dropBeforeExecute: number;
  /** Execute the N-th next order_send, then drop the link without answering. */
  dropAfterExecute: number;
  /** Delay every response by this many ms. */
  delayMs: number;
  /** Fail every handshake this way until cleared. */
  handshake: HandshakeFault | undefined;
  /** Send nothing unsolicited (no heartbeats, ticks, account or txn events), so the app drops the link. */
  noHeartbeat: boolean;
  /** Restart the terminal after this many more requests (0 = off). */
  restartAfterRequests: number;
  /**
   * Hold every order_send this many ms before executing it, reading nothing meanwhile, as the EA's single thread
   * does while inside a slow OrderSend. The order executes even if the link drops or is replaced meanwhile.
   */
  orderSendHoldMs: number;
}

/** A change in the simulated EA's link. */
export type TerminalStatus =
  | { readonly kind: 'connected'; readonly sessionId: string }
  | { readonly kind: 'refused'; readonly reason: string; readonly message: string }
  /** Whatever answered on the pipe could not prove the pairing token: the EA closed and backs off. */
  | { readonly kind: 'impostor'; readonly message: string }
  | { readonly kind: 'disconnected'; readonly reason: string };

/** Options of {@link SimTerminal}. */
export interface SimTerminalOptions {
  /** The endpoint; absent: read from `pipeFile` before every connection attempt, as the EA reads pipe.txt. */
  readonly path?: string;
  readonly pipeFile?: string;
  readonly token?: string;
  /** Read before every connection attempt, as the EA does, so a rotated token is picked up. */
  readonly tokenFile?: string;
  /** The trade server's clock minus UTC in seconds, sent in hello and account events. */
  readonly timeOffsetSec?: number;
  /**
   * The terminal's own clock (the EA's `TimeGMT()`), against which a request's `expiresAt` is checked, apart from
   * the trade server's clock a test may stop or move. Default the wall clock.
   */
  readonly terminalClock?: Clock;
  readonly server: TradeServer;
  readonly logger: Logger;
  readonly eaVersion: string;
  /** Reconnect backoff; false: never reconnect on its own. */
  readonly reconnect: { readonly minMs: number; readonly maxMs: number } | false;
  /** Wait after a refusal before trying again (the EA spec says at least 10 s). */
  readonly refusedRetryMs: number;
  readonly dedupSize?: number;
  /** Answers `rates` (bar-history.ts); absent: every symbol has no bars yet. */
  readonly rates?: (request: RatesRequest) => Result<RatesResult, EaError>;
}

const GARBAGE: readonly Buffer[] = [
  Buffer.from('this is not json\n'),
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d, 0x0a]),
  Buffer.from('{"type":"no_such_type"}\n'),
  Buffer.from('[1,2,3]\n'),
];

/**
 * The EA half of the simulator: a pipe client that behaves like PipdeskBridge.mq5 — hello with the token,
 * requests answered from the {@link TradeServer}, ticks for subscribed symbols, account and txn events,
 * heartbeats, a clOrdId dedup table, filling choice with one retry on 10030, reconnect with backoff.
 */
export class SimTerminal {
  readonly faults: SimulatorFaults = {
    dropBeforeExecute: 0,
    dropAfterExecute: 0,
    delayMs: 0,
    handshake: undefined,
    noHeartbeat: false,
    restartAfterRequests: 0,
    orderSendHoldMs: 0,
  };
  readonly #options: SimTerminalOptions;
  readonly #server: TradeServer;
  readonly #status: Emitter<[TerminalStatus]>;
  readonly #dedup = new Map<string, TradeResultWire>();
  readonly #subscriptions = new Set<string>();
  #dropReason: string | undefined;
  #link: FramedLink | undefined;
  #isWelcomed = false;
  #isStopped = false;
  #backoffMs: number;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #accountTimer: NodeJS.Timeout | undefined;
  #lastAccountKey = '';
  #requestCounter = 0;
  #garbagePending = 0;
  #unsubscribeTxn: (() => void) | undefined;
  /** How this connection reports trade transactions (request trade_events); every connection starts at `txn`. */
  #tradeForm: TradeEventForm = 'txn';
  readonly #tradeBatch = new TradeEventBatch((event) => {
    if (!this.faults.noHeartbeat) this.#link?.send(event);
  });
  #requestsHandled = 0;
  #isTradeServerConnected = true;
  /** Where this connection is in the handshake. */
  #phase: 'hello' | 'challenge' | 'welcome' | 'open' = 'hello';
  #isOpening = false;
  #endpoint = '';
  #eaNonce = '';
  #token = '';
  /** Frames read while an order_send is held (the EA's thread is busy). */
  #held: { message: Record<string, unknown>; type: string | undefined }[] | undefined;

  constructor(options: SimTerminalOptions) {
    this.#options = options;
    this.#server = options.server;
    this.#status = new Emitter((error) => {
      options.logger.error('simulator: status listener threw', { error: String(error) });
    });
    this.#backoffMs = options.reconnect === false ? 0 : options.reconnect.minMs;
  }

  /** Whether the handshake succeeded and the link is up. */
  get isConnected(): boolean {
    return this.#isWelcomed && this.#link?.isOpen === true;
  }

  /** Requests answered (or dropped by a fault) since start. */
  get requestsHandled(): number {
    return this.#requestsHandled;
  }

  /** Link changes. */
  onStatus(listener: (status: TerminalStatus) => void): () => void {
    return this.#status.on(listener);
  }

  /**
   * The terminal's link to the trade server (TERMINAL_CONNECTED). While off, order_send and lookup answer
   * TERMINAL_ERROR like the EA: nothing can be sent, and the local cache cannot prove absence.
   */
  setTradeServerConnected(isConnected: boolean): void {
    this.#isTradeServerConnected = isConnected;
  }

  /** Subscribed symbols (lost on restart and on reconnect, like the EA's). */
  subscriptions(): string[] {
    return [...this.#subscriptions];
  }

  /** Entries in the dedup table (lost on restart). */
  get dedupSize(): number {
    return this.#dedup.size;
  }

  /** Sends `count` garbage frames now (or right after the next handshake). */
  sendGarbage(count: number): void {
    if (!this.isConnected) {
      this.#garbagePending += count;
      return;
    }
    for (let i = 0; i < count; i += 1) {
      const frame = GARBAGE[i % GARBAGE.length];
      if (frame !== undefined) this.#link?.sendRaw(frame);
    }
  }

  /** Sends raw bytes on the link (tests of the server's input handling). */
  sendRaw(bytes: Uint8Array): boolean {
    return this.#link?.sendRaw(bytes) ?? false;
  }

  /** Opens the link now (cancelling a pending reconnect). */
  connect(): void {
    this.#isStopped = false;
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    if (this.#link?.isOpen === true) return;
    if (this.#held !== undefined) {
      // Still "inside OrderSend": the EA's single thread cannot reconnect yet.
      this.#scheduleReconnect();
      return;
    }
    const { path, pipeFile } = this.#options;
    if (path !== undefined) {
      this.#open(path);
      return;
    }
    if (pipeFile === undefined || this.#isOpening) return;
    this.#isOpening = true;
    void readPipeFile(pipeFile).then((endpoint) => {
      this.#isOpening = false;
      if (this.#isStopped || this.#link?.isOpen === true) return;
      if (endpoint === undefined) {
        this.#options.logger.debug('simulator: no pipe file yet', { pipeFile });
        this.#scheduleReconnect();
        return;
      }
      this.#open(endpoint);
    });
  }

  #open(path: string): void {
    const socket = connect(path);
    let isConnected = false;
    this.#phase = 'hello';
    this.#endpoint = handshakeEndpoint(path);
    socket.once('connect', () => {
      isConnected = true;
      this.#backoffMs = this.#options.reconnect === false ? 0 : this.#options.reconnect.minMs;
      void this.#sendHello();
    });
    socket.once('error', (error) => {
      if (!isConnected) {
        this.#options.logger.debug('simulator: connect failed', { error: error.message });
        this.#scheduleReconnect();
      }
    });
    const link: FramedLink = new FramedLink(
      socket,
      {
        onMessage: (message, type) => {
          // Frames decoded from the same chunk after this link was dropped (a restart inside a request)
          // belong to the old connection: never apply them to the next one.
          if (this.#link !== link) return;
          try {
            this.#onMessage(message, type);
          } catch (error) {
            // The simulator runs inside the app in demo mode: a bug here must not crash the host process.
            this.#options.logger.error('simulator: failed to handle a frame', {
              type,
              stack: error instanceof Error ? error.stack : String(error),
            });
            const id = message['id'];
            if (typeof id === 'string')
              this.#fail(id, 'INTERNAL', 'the simulator failed to handle this request');
          }
        },
        onBadFrame: (code, message) => {
          if (this.#link !== link) return;
          link.send({ type: 'error', code, message });
          if (code === 'FRAME_TOO_LARGE') this.#drop('frame too large');
        },
        onSilence: () => {
          this.#drop('app silent');
        },
        onClose: (cause) => {
          // A drop of our own says why (e.g. the app's bye reason) rather than the link's bare "local".
          const reason = this.#dropReason ?? cause;
          this.#dropReason = undefined;
          if (isConnected) this.#onClosed(reason);
        },
      },
      // A test tool answering bursts of pipelined requests in one go: allow a deep write backlog.
      { maxWriteBufferBytes: 256 * 1024 * 1024 },
    );
    this.#link = link;
  }

  /** Drops the link like a crashed pipe; the EA reconnects per its policy. Keeps its memory. */
  drop(): void {
    this.#drop('dropped by test');
  }

  /** Restarts the EA: drops the link, forgets the dedup table and subscriptions, reconnects at once. */
  restart(): void {
    this.#dedup.clear();
    this.#subscriptions.clear();
    this.#drop('restart');
    if (!this.#isStopped) this.connect();
  }

  /** Closes the link and stops reconnecting. */
  stop(): void {
    this.#isStopped = true;
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#drop('stopped');
  }

  /** Pushes the current tick of a symbol if it is subscribed (called by the feed and `setPrice`). */
  pushTick(symbol: string): void {
    if (!this.isConnected || this.faults.noHeartbeat || !this.#subscriptions.has(symbol)) return;
    const q = this.#server.quote(symbol);
    if (q === undefined) return;
    this.#link?.send({ type: 'tick', symbol, bid: q.bid, ask: q.ask, timeMsc: q.timeMsc });
  }

  // -------------------------------------------------------------------------------------------- link

  async #sendHello(): Promise<void> {
    const fault = this.faults.handshake;
    if (fault === 'silent') return;
    const link = this.#link;
    if (link === undefined) return;
    if (fault === 'bad-hello') {
      link.send({ type: 'hello', protocol: PROTOCOL_VERSION, eaVersion: this.#options.eaVersion });
      return;
    }
    let token = this.#options.token ?? '';
    if (this.#options.tokenFile !== undefined) token = (await readTokenFile(this.#options.tokenFile)) ?? '';
    if (link !== this.#link || !link.isOpen) return;
    this.#token = token;
    this.#eaNonce = generateNonce();
    const account = this.#server.account();
    const identity = {
      eaVersion: this.#options.eaVersion,
      terminal: {
        build: 4755,
        company: 'Pipdesk Simulator',
        dataPath: '/sim/terminal',
        tradeAllowed: this.#server.isAutotrading,
        connected: this.#isTradeServerConnected,
      },
      account: {
        login: account.login,
        server: account.server,
        currency: account.currency,
        leverage: account.leverage,
        marginMode: account.marginMode,
        tradeMode: account.tradeMode,
        ...(account.company === undefined ? {} : { company: account.company }),
      },
    };
    if (fault === 'bad-protocol') {
      // What a v1 EA sends: the token in the hello (a placeholder here: the real one never goes on the wire).
      link.send({ type: 'hello', protocol: 1, token: '0'.repeat(64), ...identity });
      return;
    }
    const hello: Hello = {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      nonce: this.#eaNonce,
      timeOffsetSec: this.#options.timeOffsetSec ?? 0,
      ...identity,
    };
    this.#phase = 'challenge';
    link.send(hello);
  }

  /**
   * The app's challenge: verify its proof before anything else, as the EA must (docs/bridge-protocol.md,
   * "Handshake"); whatever cannot prove the token gets nothing and the EA backs off.
   */
  #onChallenge(message: Record<string, unknown>): void {
    const parsed = AppMessageSchemas.challenge.safeParse(message);
    const fault = this.faults.handshake;
    if (fault === 'no-auth') return;
    const proofFor = (role: 'app' | 'ea', appNonce: string): string =>
      handshakeProof(this.#token, role, this.#endpoint, this.#eaNonce, appNonce);
    if (fault === 'bad-token' && parsed.success) {
      this.#phase = 'welcome';
      this.#link?.send({
        type: 'auth',
        proof: proofFor('ea', parsed.data.nonce).replace(/^./, (c) => (c === '0' ? '1' : '0')),
      });
      return;
    }
    if (
      !parsed.success ||
      this.#token === '' ||
      !proofsEqual(parsed.data.proof, proofFor('app', parsed.data.nonce))
    ) {
      this.#suspectImpostor('the app could not prove the pairing token');
      return;
    }
    this.#phase = 'welcome';
    this.#link?.send({ type: 'auth', proof: proofFor('ea', parsed.data.nonce) });
  }

  #suspectImpostor(why: string): void {
    const message = `${why} on ${this.#endpoint}: possibly another process holds the pipe, or the token file is stale; retrying later`;
    this.#options.logger.warn('simulator: possible impostor', { endpoint: this.#endpoint, why });
    this.#status.emit({ kind: 'impostor', message });
    this.#backoffMs = Math.max(this.#backoffMs, this.#options.refusedRetryMs);
    this.#drop('possible impostor');
  }

  #onMessage(message: Record<string, unknown>, type: string | undefined): void {
    if (!this.#isWelcomed) {
      if (type === 'refused') {
        const refused = AppMessageSchemas.refused.safeParse(message);
        const reason = refused.success ? refused.data.reason : 'UNKNOWN';
        const text = refused.success ? refused.data.message : '';
        this.#options.logger.warn('simulator: handshake refused', { reason, message: text });
        this.#status.emit({ kind: 'refused', reason, message: text });
        this.#backoffMs = Math.max(this.#backoffMs, this.#options.refusedRetryMs);
        return;
      }
      if (this.#phase === 'challenge' && type === 'challenge') {
        this.#onChallenge(message);
        return;
      }
      if (this.#phase !== 'welcome' || type !== 'welcome') {
        // Nothing is obeyed before the app has proven itself and welcomed us.
        this.#suspectImpostor(`unexpected ${String(type).slice(0, 32)} frame during the handshake`);
        return;
      }
      {
        const welcome = AppMessageSchemas.welcome.safeParse(message);
        if (!welcome.success) {
          this.#drop('bad welcome');
          return;
        }
        this.#isWelcomed = true;
        this.#phase = 'open';
        this.#token = '';
        this.#link?.startTimers(welcome.data.heartbeatMs, welcome.data.silenceMs);
        this.#link?.setHeartbeatEnabled(!this.faults.noHeartbeat);
        this.#unsubscribeTxn = this.#server.onTransaction((txn) => {
          if (this.faults.noHeartbeat) return;
          if (this.#tradeForm === 'changes') this.#tradeBatch.add(txn);
          else this.#link?.send(txn);
        });
        this.#startAccountEvents();
        this.#status.emit({ kind: 'connected', sessionId: welcome.data.sessionId });
        if (this.#garbagePending > 0) {
          const count = this.#garbagePending;
          this.#garbagePending = 0;
          this.sendGarbage(count);
        }
        return;
      }
    }
    if (this.#held !== undefined) {
      this.#held.push({ message, type });
      return;
    }
    switch (type) {
      case 'hb':
        return;
      case 'error':
        this.#options.logger.warn('simulator: app reported a protocol error', { message });
        return;
      case 'bye':
        // The reason (e.g. TOKEN_ROTATED) is what a test or the trader needs to tell a rotation from a crash.
        this.#drop(
          `app said bye (${typeof message['reason'] === 'string' ? message['reason'].slice(0, 40) : '?'})`,
        );
        return;
      default:
        this.#onRequest(message, type);
    }
  }

  #onRequest(message: Record<string, unknown>, type: string | undefined): void {
    const id = typeof message['id'] === 'string' ? message['id'] : undefined;
    if (id === undefined) {
      this.#link?.send({
        type: 'error',
        code: 'UNKNOWN_TYPE',
        message: `unexpected frame type ${String(type)}`,
      });
      return;
    }
    this.#requestsHandled += 1;
    if (type === undefined || !(type in RequestSchemas)) {
      this.#fail(id, 'UNKNOWN_TYPE', `request type ${String(type)} is not implemented`);
      return;
    }
    const parsed = RequestSchemas[type as RequestType].safeParse(message);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.#fail(
        id,
        'INVALID_PARAMS',
        issue === undefined ? 'invalid' : `${issue.path.join('.')}: ${issue.message}`,
      );
      return;
    }
    const request = parsed.data;
    if ((this.#options.terminalClock ?? systemClock).now() > request.expiresAt) {
      this.#fail(id, 'DEADLINE_EXCEEDED', 'the request expired before it was read');
      return;
    }
    this.#handle(request);
    const restartAfter = this.faults.restartAfterRequests;
    if (restartAfter > 0) {
      this.faults.restartAfterRequests = restartAfter - 1;
      if (restartAfter === 1) this.restart();
    }
  }

  #handle(request: Request): void {
    const server = this.#server;
    switch (request.type) {
      case 'account':
        this.#reply(request.id, 'account', {
          ...server.account(),
          timeOffsetSec: this.#options.timeOffsetSec ?? 0,
        });
        return;
      case 'symbols':
        this.#reply(request.id, 'symbols', {
          symbols: server.symbolNames().map((name) => {
            const spec = server.spec(name);
            return {
              name,
              description: spec?.description ?? '',
              path: `Simulator\\${name}`,
              selected: true,
              tradeMode: spec === undefined ? 0 : TRADE_MODE_VALUE[spec.tradeMode],
            };
          }),
        });
        return;
      case 'symbol_spec': {
        const spec = this.#wireSpec(request.symbol);
        if (spec === undefined) this.#fail(request.id, 'UNKNOWN_SYMBOL', `${request.symbol} is not offered`);
        else this.#reply(request.id, 'symbol_spec', spec);
        return;
      }
      case 'quote': {
        if (server.spec(request.symbol) === undefined) {
          this.#fail(request.id, 'UNKNOWN_SYMBOL', `${request.symbol} is not offered`);
          return;
        }
        const q = server.quote(request.symbol);
        if (q === undefined) this.#fail(request.id, 'NO_QUOTE', `no quote for ${request.symbol} yet`);
        else
          this.#reply(request.id, 'quote', {
            symbol: request.symbol,
            bid: q.bid,
            ask: q.ask,
            timeMsc: q.timeMsc,
          });
        return;
      }
      case 'subscribe':
        if (server.spec(request.symbol) === undefined) {
          this.#fail(request.id, 'UNKNOWN_SYMBOL', `${request.symbol} is not offered`);
          return;
        }
        // The answer goes out before the first tick (docs/bridge-protocol.md, subscribe), even when answers are
        // delayed by a fault: the subscription starts only once its answer is on the wire.
        this.#deliver(
          {
            type: 'response',
            id: request.id,
            ok: true,
            result: { symbol: request.symbol, subscribed: true },
          },
          () => {
            this.#subscriptions.add(request.symbol);
            this.pushTick(request.symbol);
          },
        );
        return;
      case 'unsubscribe':
        if (request.symbol === '*') this.#subscriptions.clear();
        else this.#subscriptions.delete(request.symbol);
        this.#reply(request.id, 'unsubscribe', { symbol: request.symbol, subscribed: false });
        return;
      case 'trade_events': {
        const form = request.form;
        // As subscribe: the answer goes out first, and the new form applies to what happens after it. Leaving
        // `changes` sends what piled up before the first `txn`.
        this.#deliver({ type: 'response', id: request.id, ok: true, result: { form } }, () => {
          if (form === 'txn') this.#tradeBatch.flush();
          this.#tradeForm = form;
        });
        return;
      }
      case 'positions':
        this.#reply(request.id, 'positions', { positions: server.positions(request.symbol) });
        return;
      case 'orders':
        this.#reply(request.id, 'orders', { orders: server.orders(request.symbol) });
        return;
      case 'history_deals':
        this.#reply(request.id, 'history_deals', {
          deals: server.deals(request.fromMs, request.toMs, request.symbol),
        });
        return;
      case 'calc_margin': {
        const margin = server.calcMargin(request.symbol, request.orderType, request.volume, request.price);
        if (margin.ok) this.#reply(request.id, 'calc_margin', { margin: margin.value });
        else
          this.#fail(
            request.id,
            margin.error.code === 'UNKNOWN_SYMBOL' ? 'UNKNOWN_SYMBOL' : 'TERMINAL_ERROR',
            margin.error.message,
          );
        return;
      }
      case 'order_check': {
        const { type: _t, id, deadlineMs: _d, expiresAt: _e, ...params } = request;
        const prepared = this.#prepare(id, params);
        if (prepared === undefined) return;
        const checked = server.check(prepared.params, prepared.candidates[0]);
        this.#reply(
          id,
          'order_check',
          prepared.candidates.length === 0
            ? { ...checked, retcode: 10030, message: NO_FILLING_WORDS }
            : checked,
        );
        return;
      }
      case 'order_send':
        this.#orderSend(request);
        return;
      case 'rates': {
        const answer = this.#options.rates?.(request) ?? {
          ok: true as const,
          value: { symbol: request.symbol, timeframe: request.timeframe, rates: [] },
        };
        if (answer.ok) this.#reply(request.id, 'rates', answer.value);
        else this.#fail(request.id, answer.error.code, answer.error.message);
        return;
      }
      case 'lookup': {
        if (!this.#isTradeServerConnected) {
          this.#fail(request.id, 'TERMINAL_ERROR', 'the terminal is not connected to the trade server');
          return;
        }
        // As the EA: 90 days by default; a given sinceMs moved one day earlier for trade-server clock skew.
        const sinceMs =
          request.sinceMs === undefined ? server.now() - 90 * 86_400_000 : request.sinceMs - 86_400_000;
        const found = server.lookup(request.clOrdId, sinceMs);
        const last = this.#dedup.get(request.clOrdId);
        this.#reply(request.id, 'lookup', {
          clOrdId: request.clOrdId,
          found: found.positions.length + found.orders.length + found.deals.length > 0 || last !== undefined,
          ...found,
          ...(last === undefined ? {} : { lastResult: last }),
        });
        return;
      }
    }
  }

  /** EA-side preparation: symbol known, market price filled in for Instant/Request deals, filling candidates. */
  #prepare(
    id: string,
    params: TradeParams,
  ): { params: TradeParams; candidates: readonly (FillingMode | undefined)[] } | undefined {
    if ('symbol' in params && this.#server.spec(params.symbol) === undefined) {
      this.#fail(id, 'UNKNOWN_SYMBOL', `${params.symbol} is not offered`);
      return undefined;
    }
    if (params.action === 'DEAL') {
      const spec = this.#server.spec(params.symbol);
      const q = this.#server.quote(params.symbol);
      let prepared: TradeParams = params;
      if ((params.price ?? 0) <= 0 && q !== undefined) {
        // Object.assign, not `{ ...params, price }`: V8's spread-then-property path is slow (docs/benchmarks.md).
        prepared = Object.assign({}, params, { price: params.orderType === 'BUY' ? q.ask : q.bid });
      }
      if (params.filling !== undefined || spec === undefined)
        return { params: prepared, candidates: [params.filling] };
      return { params: prepared, candidates: fillingCandidates(spec, 'market') };
    }
    if (params.action === 'PENDING') {
      const spec = this.#server.spec(params.symbol);
      if (params.filling !== undefined || spec === undefined) return { params, candidates: [params.filling] };
      return { params, candidates: fillingCandidates(spec, orderKindOf(params.orderType)) };
    }
    return { params, candidates: [undefined] };
  }

  #orderSend(request: Extract<Request, { type: 'order_send' }>): void {
    const { type: _t, id, deadlineMs: _d, expiresAt: _e, ...rest } = request;
    const params = rest;
    const stored = this.#dedup.get(params.clOrdId);
    if (stored !== undefined) {
      this.#reply(id, 'order_send', { ...stored, duplicate: true });
      return;
    }
    if (!this.#isTradeServerConnected) {
      this.#fail(id, 'TERMINAL_ERROR', 'the terminal is not connected to the trade server');
      return;
    }
    if (this.faults.dropBeforeExecute > 0) {
      this.faults.dropBeforeExecute -= 1;
      if (this.faults.dropBeforeExecute === 0) {
        this.#drop('fault: drop before execute');
        return;
      }
    }
    const prepared = this.#prepare(id, params);
    if (prepared === undefined) return;
    if (this.faults.orderSendHoldMs > 0) {
      // Inside "OrderSend": read nothing until it returns, then answer on whatever link is still there.
      const link = this.#link;
      this.#held = [];
      setTimeout(() => {
        this.#execute(id, params, prepared, link);
        const queued = this.#held ?? [];
        this.#held = undefined;
        for (const frame of queued) {
          if (this.#link === link && link?.isOpen === true) this.#onMessage(frame.message, frame.type);
        }
      }, this.faults.orderSendHoldMs);
      return;
    }
    this.#execute(id, params, prepared, this.#link);
  }

  #execute(
    id: string,
    params: TradeParams,
    prepared: { params: TradeParams; candidates: readonly (FillingMode | undefined)[] },
    link: FramedLink | undefined,
  ): void {
    const spec = 'symbol' in params ? this.#server.spec(params.symbol) : undefined;
    let filling = prepared.candidates[0];
    // As the EA (and CTrade): a symbol with no filling mode to send with is answered 10030, nothing sent.
    let engine =
      prepared.candidates.length === 0
        ? this.#server.refuseLocally(prepared.params, 10030, NO_FILLING_WORDS)
        : this.#server.send(prepared.params, filling);
    if (
      engine.retcode === 10030 &&
      spec !== undefined &&
      filling !== undefined &&
      (params.action === 'DEAL' || params.action === 'PENDING') &&
      params.filling === undefined
    ) {
      // 10030 means nothing executed: one retry with the next candidate is safe (docs/mql5-functions.md, "Filling").
      const kind = params.action === 'PENDING' ? orderKindOf(params.orderType) : 'market';
      const next = nextFillingCandidate(spec, kind, filling);
      if (next !== undefined) {
        filling = next;
        engine = this.#server.send(prepared.params, filling);
      }
    }
    this.#requestCounter += 1;
    // Field by field rather than `{ ...engine, … }`: V8's spread-then-property path is slow (docs/benchmarks.md).
    const result: TradeResultWire = {
      retcode: engine.retcode,
      message: engine.message,
      order: engine.order,
      deal: engine.deal,
      volume: engine.volume,
      price: engine.price,
      bid: engine.bid,
      ask: engine.ask,
      requestId: this.#requestCounter,
      retcodeExternal: 0,
      ...(filling === undefined ? {} : { filling }),
      duplicate: false,
    };
    // As the EA: keep only answers where something happened or may have: a rejected or retryable request
    // executed nothing, so the app may send it again with the same clOrdId.
    const outcome = retcodeInfo(result.retcode).outcome;
    if (outcome === 'done' || outcome === 'unknown') this.#remember(params.clOrdId, result);
    if (link !== this.#link || link?.isOpen !== true) return;
    if (this.faults.dropAfterExecute > 0) {
      this.faults.dropAfterExecute -= 1;
      if (this.faults.dropAfterExecute === 0) {
        this.#drop('fault: drop after execute');
        return;
      }
    }
    this.#reply(id, 'order_send', result);
  }

  #remember(clOrdId: string, result: TradeResultWire): void {
    this.#dedup.set(clOrdId, result);
    const limit = this.#options.dedupSize ?? 1000;
    if (this.#dedup.size > limit) {
      const oldest = this.#dedup.keys().next();
      if (oldest.done !== true) this.#dedup.delete(oldest.value);
    }
  }

  #wireSpec(symbol: string): WireSymbolSpec | undefined {
    const spec = this.#server.spec(symbol);
    if (spec === undefined) return undefined;
    const q = this.#server.quote(symbol);
    const bid = q?.bid ?? 0;
    const ask = q?.ask ?? 0;
    const tickValue = this.#server.tickValue(symbol);
    return {
      name: spec.name,
      description: spec.description,
      path: `Simulator\\${spec.name}`,
      digits: spec.digits,
      point: spec.point,
      tickSize: spec.tickSize,
      tickValue,
      contractSize: spec.contractSize,
      volumeMin: spec.volumeMin,
      volumeMax: spec.volumeMax,
      volumeStep: spec.volumeStep,
      volumeLimit: 0,
      currencyBase: spec.currencyBase,
      currencyProfit: spec.currencyProfit,
      currencyMargin: spec.currencyMargin,
      calcMode: CALC_MODE_VALUE[spec.calcMode],
      marginInitial: spec.marginInitial ?? 0,
      marginRate: spec.marginRate,
      tradeMode: TRADE_MODE_VALUE[spec.tradeMode],
      executionMode: EXECUTION_MODE_VALUE[spec.executionMode],
      fillingFlags: spec.fillingFlags,
      expirationFlags: spec.expirationFlags,
      orderFlags: spec.orderFlags,
      stopsLevel: spec.stopsLevel,
      freezeLevel: spec.freezeLevel,
      spread: bid > 0 ? Math.round((ask - bid) / spec.point) : 0,
      bid,
      ask,
      sessionOpen: this.#server.isMarketOpen(symbol),
    };
  }

  #reply<T extends RequestType>(id: string, _type: T, result: WireResultOf<T>): void {
    const frame = { type: 'response', id, ok: true, result };
    this.#deliver(frame);
  }

  #fail(id: string, code: EaErrorCode, message: string): void {
    this.#deliver({ type: 'response', id, ok: false, error: { code, message } });
  }

  /** Sends an answer (after the delay fault, if set), then runs `afterSent` if it went out on the same link. */
  #deliver(frame: unknown, afterSent?: () => void): void {
    const link = this.#link;
    if (link === undefined) return;
    const send = (): void => {
      if (link.send(frame) && afterSent !== undefined && this.#link === link) afterSent();
    };
    if (this.faults.delayMs > 0) {
      setTimeout(send, this.faults.delayMs);
      return;
    }
    send();
  }

  #startAccountEvents(): void {
    if (this.#accountTimer !== undefined) clearInterval(this.#accountTimer);
    this.#lastAccountKey = '';
    this.#accountTimer = setInterval(() => {
      if (!this.isConnected || this.faults.noHeartbeat) return;
      const a = this.#server.account();
      const event = {
        type: 'account',
        balance: a.balance,
        credit: a.credit,
        profit: a.profit,
        equity: a.equity,
        margin: a.margin,
        marginFree: a.marginFree,
        marginLevel: a.marginLevel,
        leverage: a.leverage,
        tradeAllowed: this.#server.isAutotrading,
        timeOffsetSec: this.#options.timeOffsetSec ?? 0,
      };
      const key = JSON.stringify(event);
      if (key === this.#lastAccountKey) return;
      this.#lastAccountKey = key;
      this.#link?.send(event);
    }, 250);
    this.#accountTimer.unref();
  }

  #drop(reason: string): void {
    const link = this.#link;
    if (link === undefined) return;
    this.#dropReason = reason;
    this.#options.logger.info('simulator: dropping the link', { reason });
    link.destroy();
  }

  #onClosed(cause: string): void {
    const wasWelcomed = this.#isWelcomed;
    this.#isWelcomed = false;
    this.#link = undefined;
    this.#subscriptions.clear();
    if (this.#accountTimer !== undefined) clearInterval(this.#accountTimer);
    this.#accountTimer = undefined;
    this.#unsubscribeTxn?.();
    this.#unsubscribeTxn = undefined;
    this.#tradeForm = 'txn';
    this.#tradeBatch.clear();
    this.#status.emit({ kind: 'disconnected', reason: cause });
    if (wasWelcomed) this.#options.logger.info('simulator: link closed', { cause });
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#isStopped || this.#options.reconnect === false || this.#reconnectTimer !== undefined) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(
      Math.max(delay * 2, this.#options.reconnect.minMs),
      this.#options.reconnect.maxMs,
    );
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (!this.#isStopped) this.connect();
    }, delay);
    this.#reconnectTimer.unref();
  }
}
