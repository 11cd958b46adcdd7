import type { User } from '../../../src-core/contracts/cloud-api';
import type { CloudAccount, CloudState } from '../../../src-core/contracts/ipc-cloud';
import {
  PLACE_ORDER_COMMAND,
  RemoteOrderCommandArgs,
  TRADE_JOURNAL_KIND,
  type RemoteOrderResult,
} from '../../../src-core/contracts/cloud-sync';
import type {
  ConnectorCommand,
  ConnectorCommandResult,
  RefusedEntry,
} from '../../../src-core/contracts/connector';
import type { JournalEntry, OutboxItem } from '../../../src-core/contracts/journal';
import type { ExecutionResult, TradeIntent } from '../../../src-core/contracts/orders';
import { appError, err, ok, type AppError, type Result } from '../../../src-core/result';
import type { Clock } from '../../../src-core/clock';
import type { Db } from '../database';
import type { Logger } from '../../../src-core/logger';
import type { AccountsPort } from './accounts-port';
import { CloudClient, type CloudError } from './cloud-client';
import { ConnectorSocket, type BackoffOptions, type SocketState } from './connector-socket';
import { CloudLinks, type AccountKey, type CloudLink } from './links';
import type { TokenStore } from './token-store';

/** The journal's outbox, as journal.ts offers it. */
export interface OutboxPort {
  listUnsynced(limit: number): OutboxItem[];
  markSynced(seqs: readonly number[]): number;
  onChanged(listener: (entry: JournalEntry) => void): () => void;
}

/** The executor's one entry point for any trade intent. */
export interface ExecutorPort {
  execute(intent: TradeIntent): Promise<ExecutionResult>;
}

export interface CloudSyncOptions {
  readonly cloudUrl: string;
  readonly db: Db;
  readonly journal: OutboxPort;
  readonly executor: ExecutorPort;
  readonly accounts: AccountsPort;
  readonly tokens: TokenStore;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Least time between two status snapshots of one connection (default 2 s). */
  readonly statusIntervalMs?: number;
  /** Entries per journal frame (default 200, at most 500). */
  readonly batchSize?: number;
  readonly backoff?: Partial<BackoffOptions>;
}

const REFRESH_TOKEN = 'cloud.refresh';
const SESSION_ENDED =
  'Your cloud session ended (signed out elsewhere, revoked, or the password was reset). Sign in again to keep syncing.';

interface Live {
  readonly link: CloudLink;
  readonly socket: ConnectorSocket;
  /** Entries sent and not yet acknowledged: entry id → outbox seqs and the entry. One batch in flight. */
  inFlight: Map<string, { seqs: number[]; entry: JournalEntry }> | null;
  lastStatusAt: number;
  statusTimer: NodeJS.Timeout | null;
}

/**
 * Cloud sync on the desktop (docs/cloud-sync.md): the cloud sign-in, one connector socket per linked MT5 account, status
 * snapshots, the journal outbox sent at least once and dropped only when acknowledged by entry id, and remote
 * orders run through the same executor (origin `remote`) when the user turned remote trading on.
 */
export class CloudSync {
  readonly #o: CloudSyncOptions;
  readonly #client: CloudClient;
  readonly #links: CloudLinks;
  readonly #live = new Map<string, Live>(); // by connection id
  readonly #listeners = new Set<(state: CloudState) => void>();
  readonly #offs: (() => void)[] = [];
  #status: CloudState['status'] = 'signed_out';
  #email: string | null = null;
  #notice: string | null = null;
  #access: { token: string; expiresAt: number } | null = null;
  #refreshToken: string | null = null;
  #refreshing: Promise<boolean> | null = null;
  #pumpScheduled = false;
  #closed = false;

  constructor(options: CloudSyncOptions) {
    this.#o = options;
    this.#client = new CloudClient(options.cloudUrl);
    this.#links = new CloudLinks(options.db);
    this.#offs.push(
      options.journal.onChanged((entry) => {
        // Tag each entry with the account it was made on while that is still known.
        const account = options.accounts.activeAccount();
        if (account !== undefined) this.#links.tagEntry(entry.id, account);
        this.#schedulePump();
      }),
      options.accounts.onAccountsChanged(() => {
        for (const live of this.#live.values()) this.#sendStatus(live, true);
        this.#emit();
      }),
      options.accounts.onAccountActivity((key) => {
        for (const live of this.#live.values())
          if (live.link.accountKey === key) this.#sendStatus(live, false);
      }),
    );
  }

  /** Resumes a saved sign-in (refresh token from the store). Call once at start. */
  async start(): Promise<void> {
    const saved = this.#o.tokens.load(REFRESH_TOKEN);
    if (!saved.ok) {
      this.#notice = saved.error.message;
      this.#emit();
      return;
    }
    if (saved.value === null) return;
    this.#refreshToken = saved.value;
    this.#email = this.#links.meta('email') ?? null;
    this.#status = 'signing_in';
    this.#emit();
    if (await this.#refresh()) {
      this.#status = 'signed_in';
      this.#startConnectors();
    } else if (this.#hasSession()) {
      // Unreachable cloud: stay signed in and let the sockets retry with backoff.
      this.#status = 'signed_in';
      this.#startConnectors();
    }
    this.#emit();
  }

  async signIn(email: string, password: string, totpCode?: string): Promise<Result<CloudState>> {
    this.#status = 'signing_in';
    this.#emit();
    const answer = await this.#client.login(email, password, totpCode);
    if (!answer.ok) {
      this.#status = 'signed_out';
      this.#emit();
      return err(plain(answer.error));
    }
    this.#adopt(answer.value.user, answer.value.tokens);
    this.#notice = null;
    this.#status = 'signed_in';
    this.#startConnectors();
    this.#emit();
    return ok(this.state());
  }

  async signOut(): Promise<CloudState> {
    const refresh = this.#refreshToken;
    const access = this.#access?.token;
    this.#endSession(null);
    if (refresh !== null) await this.#client.logout(refresh, access);
    return this.state();
  }

  /** The user confirmed that this account goes to the cloud: reuse its connection or create one, then connect. */
  async linkAccount(accountKey: AccountKey): Promise<Result<CloudState>> {
    const account = this.#o.accounts.accounts().find((a) => a.key === accountKey);
    if (account === undefined)
      return err(appError('ACCOUNT_NOT_FOUND', 'The bridge has not seen this account.'));
    const token = await this.#accessToken({ forceRefresh: false });
    if (token === null) return err(appError('NOT_SIGNED_IN', 'Sign in to the cloud first.'));
    const list = await this.#client.listConnections(token);
    if (!list.ok) return err(plain(list.error));
    const existing = list.value.connections.find(
      (c) => c.account_login === account.login && c.broker_server === account.server,
    );
    let connectionId = existing?.id;
    if (connectionId === undefined) {
      const created = await this.#client.createConnection(token, {
        name: `${account.company ?? account.server} ${account.login}`.slice(0, 100),
        platform: 'mt5',
        broker_server: account.server,
        account_login: account.login,
      });
      if (!created.ok) return err(plain(created.error));
      connectionId = created.value.id;
    }
    const link = this.#links.save(accountKey, connectionId, this.#o.clock.now());
    this.#startConnector(link);
    this.#emit();
    return ok(this.state());
  }

  /** Remote trading per connection: off by default; the cloud learns the switch at once. */
  setRemoteTrading(accountKey: AccountKey, isOn: boolean): Result<CloudState> {
    if (!this.#links.setRemoteTrading(accountKey, isOn)) {
      return err(appError('ACCOUNT_NOT_LINKED', 'Link this account to the cloud first.'));
    }
    const link = this.#links.get(accountKey);
    const live = link === undefined ? undefined : this.#live.get(link.connectionId);
    if (live !== undefined && link !== undefined) {
      const updated: Live = { ...live, link };
      this.#live.set(link.connectionId, updated);
      updated.socket.send({ type: 'settings', remote_trading: isOn });
    }
    this.#emit();
    return ok(this.state());
  }

  state(): CloudState {
    const links = new Map(this.#links.all().map((l) => [l.accountKey, l]));
    const seen = this.#o.accounts.accounts();
    const accounts: CloudAccount[] = seen.map((a) => {
      const link = links.get(a.key);
      const live = link === undefined ? undefined : this.#live.get(link.connectionId);
      return {
        accountKey: a.key,
        login: a.login,
        server: a.server,
        connectionId: link?.connectionId ?? null,
        isRemoteTradingOn: link?.isRemoteTradingOn ?? false,
        connector: link === undefined ? 'not_linked' : (live?.socket.state ?? 'offline'),
        isTerminalConnected: a.isConnected,
      };
    });
    return {
      status: this.#status,
      cloudUrl: this.#o.cloudUrl,
      email: this.#email,
      notice: this.#notice,
      tokenStorage: this.#o.tokens.description ?? 'in the system keychain',
      accounts,
      unsyncedEntries: this.#o.journal.listUnsynced(1000).length,
      refusedEntries: this.#links.refused(100).map((r) => {
        const entry = readEntry(r.entryJson);
        return {
          entryId: r.entryId,
          accountKey: r.accountKey,
          reason: r.reason,
          refusedAt: r.refusedAt,
          symbol: entry?.symbol ?? null,
          operation: entry?.operation ?? null,
        };
      }),
    };
  }

  onState(listener: (state: CloudState) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Stops the sockets; queued entries stay in the outbox for the next run. */
  close(): void {
    this.#closed = true;
    for (const off of this.#offs) off();
    for (const live of this.#live.values()) this.#stopLive(live);
    this.#live.clear();
  }

  // ---- session ----

  /** Read through a method: the flag changes while awaiting, which TypeScript's narrowing cannot see. */
  #hasSession(): boolean {
    return this.#refreshToken !== null;
  }

  #adopt(user: User, tokens: { access_token: string; expires_in: number; refresh_token: string }): void {
    if (this.#links.meta('user_id') !== user.id) {
      // Links made for another cloud user point at connections this one does not own.
      for (const live of this.#live.values()) this.#stopLive(live);
      this.#live.clear();
      this.#links.clear();
      this.#links.setMeta('user_id', user.id);
    }
    this.#links.setMeta('email', user.email);
    this.#email = user.email;
    this.#setTokens(tokens);
  }

  #setTokens(tokens: { access_token: string; expires_in: number; refresh_token: string }): void {
    this.#access = { token: tokens.access_token, expiresAt: this.#o.clock.now() + tokens.expires_in * 1000 };
    this.#refreshToken = tokens.refresh_token;
    const saved = this.#o.tokens.save(REFRESH_TOKEN, tokens.refresh_token);
    if (!saved.ok)
      this.#o.logger.warn('cloud-sync: the sign-in is kept in memory only', { reason: saved.error.message });
  }

  /** A fresh access token, refreshed when it expires within 30 s; null once signed out. */
  async #accessToken(options: { forceRefresh: boolean }): Promise<string | null> {
    if (this.#refreshToken === null) return null;
    const access = this.#access;
    if (!options.forceRefresh && access !== null && access.expiresAt - this.#o.clock.now() > 30_000)
      return access.token;
    await this.#refresh();
    return this.#access?.token ?? null;
  }

  /** One refresh at a time: the cloud rotates refresh tokens and treats a reused one as theft. */
  #refresh(): Promise<boolean> {
    this.#refreshing ??= this.#doRefresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #doRefresh(): Promise<boolean> {
    const token = this.#refreshToken;
    if (token === null) return false;
    const answer = await this.#client.refresh(token);
    if (answer.ok) {
      this.#setTokens(answer.value);
      return true;
    }
    if (answer.error.status === 401 || answer.error.status === 400) {
      this.#o.logger.warn('cloud-sync: session refused by the cloud', { code: answer.error.code });
      this.#endSession(SESSION_ENDED);
    }
    return false;
  }

  #endSession(notice: string | null): void {
    for (const live of this.#live.values()) this.#stopLive(live);
    this.#live.clear();
    this.#access = null;
    this.#refreshToken = null;
    this.#o.tokens.remove(REFRESH_TOKEN);
    this.#status = 'signed_out';
    this.#notice = notice;
    this.#emit();
  }

  // ---- connectors ----

  #startConnectors(): void {
    for (const link of this.#links.all()) this.#startConnector(link);
  }

  #startConnector(link: CloudLink): void {
    if (this.#closed || this.#live.has(link.connectionId)) return;
    const socket = new ConnectorSocket({
      cloudUrl: this.#o.cloudUrl,
      connectionId: link.connectionId,
      accessToken: (o) => this.#accessToken(o),
      onMessage: (message) => {
        const live = this.#live.get(link.connectionId);
        if (live === undefined) return;
        switch (message.type) {
          // requestId is the cloud's request id (docs/operations.md, "Request ids"): the cloud's log lines for
          // the same socket or remote order carry it as request_id.
          case 'welcome':
            this.#o.logger.info('cloud-sync: connected to the cloud', {
              connectionId: link.connectionId,
              requestId: message.request_id,
            });
            this.#onOpen(live);
            return;
          case 'ack':
            this.#onAck(live, message.ids, message.refused ?? [], message.request_id);
            return;
          case 'command':
            this.#o.logger.info('cloud-sync: command from the cloud', {
              connectionId: link.connectionId,
              commandId: message.id,
              name: message.name,
              requestId: message.request_id,
            });
            this.#onCommand(live, message).catch((error: unknown) => {
              this.#o.logger.error('cloud-sync: command handling failed', {
                error,
                requestId: message.request_id,
              });
            });
            return;
          case 'error':
            this.#o.logger.warn('cloud-sync: the cloud refused a frame', {
              code: message.code,
              message: message.message,
              requestId: message.request_id,
            });
            return;
          case 'pong':
            return;
        }
      },
      onState: (state: SocketState) => {
        const live = this.#live.get(link.connectionId);
        if (live !== undefined && state !== 'online') live.inFlight = null; // unacked entries go again
        this.#emit();
      },
      onForbidden: () => {
        // Deleted in the cloud, or not this user's: forget the link so the account can be linked again.
        this.#o.logger.warn('cloud-sync: the cloud refused the connection; link dropped', {
          connectionId: link.connectionId,
        });
        const live = this.#live.get(link.connectionId);
        if (live !== undefined) this.#stopLive(live);
        this.#live.delete(link.connectionId);
        this.#links.remove(link.accountKey);
        this.#emit();
      },
      logger: this.#o.logger,
      ...(this.#o.backoff === undefined ? {} : { backoff: this.#o.backoff }),
    });
    this.#live.set(link.connectionId, { link, socket, inFlight: null, lastStatusAt: 0, statusTimer: null });
    socket.start();
  }

  #stopLive(live: Live): void {
    if (live.statusTimer !== null) clearTimeout(live.statusTimer);
    live.socket.stop();
  }

  #onOpen(live: Live): void {
    const link = this.#links.get(live.link.accountKey) ?? live.link;
    live.socket.send({ type: 'settings', remote_trading: link.isRemoteTradingOn });
    live.inFlight = null;
    this.#sendStatus(live, true);
    this.#pump(live);
  }

  // ---- status ----

  #sendStatus(live: Live, isUrgent: boolean): void {
    const interval = this.#o.statusIntervalMs ?? 2_000;
    const wait = live.lastStatusAt + interval - this.#o.clock.now();
    if (!isUrgent && wait > 0) {
      // Throttled: one snapshot at the end of the interval carries the latest numbers.
      live.statusTimer ??= setTimeout(() => {
        live.statusTimer = null;
        this.#sendStatus(live, true);
      }, wait);
      live.statusTimer.unref();
      return;
    }
    live.lastStatusAt = this.#o.clock.now();
    void this.#o.accounts
      .status(live.link.accountKey)
      .then((status) => {
        live.socket.send({ type: 'status', at_ms: this.#o.clock.now(), ...status });
      })
      .catch((error: unknown) => {
        this.#o.logger.warn('cloud-sync: status snapshot failed', { error });
      });
  }

  // ---- journal outbox ----

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      for (const live of this.#live.values()) this.#pump(live);
    });
  }

  /** Sends the next batch of this connection's unsynced entries, one batch in flight at a time. */
  #pump(live: Live): void {
    if (live.inFlight !== null || live.socket.state !== 'online') return;
    const size = Math.min(this.#o.batchSize ?? 200, 500);
    const items = this.#o.journal.listUnsynced(1000);
    if (items.length === 0) return;
    const tags = this.#links.entryAccounts(items.map((i) => i.entry.id));
    const fallback = this.#o.accounts.activeAccount();
    const batch = new Map<string, { entry: JournalEntry; seqs: number[] }>();
    for (const item of items) {
      let account = tags.get(item.entry.id);
      if (account === undefined && fallback !== undefined) {
        // Made before this run started watching: it belongs to the account trading now.
        this.#links.tagEntry(item.entry.id, fallback);
        account = fallback;
      }
      if (account !== live.link.accountKey) continue;
      const known = batch.get(item.entry.id);
      if (known === undefined) {
        if (batch.size >= size) continue;
        batch.set(item.entry.id, { entry: item.entry, seqs: [item.seq] });
      } else {
        known.seqs.push(item.seq);
        if (item.entry.version > known.entry.version) known.entry = item.entry;
      }
    }
    if (batch.size === 0) return;
    const inFlight = new Map([...batch].map(([id, b]) => [id, { seqs: b.seqs, entry: b.entry }]));
    const sent = live.socket.send({
      type: 'journal',
      entries: [...batch.values()].map(({ entry }) => ({
        id: entry.id,
        at_ms: entry.updatedAt,
        kind: TRADE_JOURNAL_KIND,
        payload: entry,
      })),
    });
    if (sent) live.inFlight = inFlight;
  }

  #onAck(
    live: Live,
    ids: readonly string[],
    refused: readonly RefusedEntry[],
    requestId: string | undefined,
  ): void {
    const inFlight = live.inFlight;
    if (inFlight === null) return;
    const seqs = ids.flatMap((id) => inFlight.get(id)?.seqs ?? []);
    // A refused entry would be refused again on every resend and hold its place in each batch: it is moved
    // aside (kept here with the cloud's reason, shown in Settings → Cloud) and sync goes on with the rest.
    const now = this.#o.clock.now();
    for (const refusal of refused) {
      const sent = refusal.id === null ? undefined : inFlight.get(refusal.id);
      if (sent === undefined || refusal.id === null) continue;
      this.#links.saveRefused({
        entryId: refusal.id,
        accountKey: live.link.accountKey,
        reason: refusal.reason,
        refusedAt: now,
        entryJson: JSON.stringify(sent.entry),
      });
      seqs.push(...sent.seqs);
      this.#o.logger.warn('cloud-sync: the cloud refused a journal entry; kept aside', {
        entryId: refusal.id,
        reason: refusal.reason,
        requestId,
      });
    }
    // Only now may the outbox forget them: a crash before this line resends them, and the cloud ignores repeats.
    this.#o.journal.markSynced(seqs);
    live.inFlight = null;
    this.#pump(live);
    this.#emit();
  }

  // ---- remote orders ----

  async #onCommand(live: Live, command: ConnectorCommand): Promise<void> {
    const answer = (reply: Omit<ConnectorCommandResult, 'type' | 'id'>): void => {
      live.socket.send({ type: 'command_result', id: command.id, ...reply });
    };
    if (command.name !== PLACE_ORDER_COMMAND) {
      answer({ status: 'invalid', result: null, message: `Unknown command ${command.name}.` });
      return;
    }
    const link = this.#links.get(live.link.accountKey);
    if (link?.isRemoteTradingOn !== true) {
      answer({
        status: 'remote_trading_disabled',
        result: null,
        message: 'Remote trading is off on this desktop.',
      });
      return;
    }
    const args = RemoteOrderCommandArgs.safeParse(command.args);
    if (!args.success) {
      answer({ status: 'invalid', result: null, message: 'The order is not a valid trade intent.' });
      return;
    }
    if (this.#o.accounts.activeAccount() !== link.accountKey) {
      // The executor trades on the active terminal; never send an order for one account to another.
      answer({
        status: 'invalid',
        result: null,
        message: 'The desktop is trading on another account right now; nothing was sent.',
      });
      return;
    }
    const intent = {
      operation: args.data.intent.operation,
      input: { ...args.data.intent.input, origin: 'remote', requestKey: args.data.request_key },
    } as TradeIntent;
    let result: ExecutionResult;
    try {
      result = await this.#o.executor.execute(intent);
    } catch (error) {
      // A bug in the executor: the order may or may not have gone out, so no answer is sent and the cloud tells
      // the trader "outcome unknown" after its wait, which is the truth.
      this.#o.logger.error('cloud-sync: remote order failed in the executor', {
        error,
        commandId: command.id,
      });
      return;
    }
    answer({ status: 'done', result: toRemoteResult(result) });
  }

  #emit(): void {
    if (this.#listeners.size === 0) return;
    const state = this.state();
    for (const listener of this.#listeners) listener(state);
  }
}

/** The symbol and operation of a refused entry, for the list; the row keeps the whole entry regardless. */
function readEntry(json: string): { symbol: string | null; operation: string | null } | undefined {
  try {
    const value = JSON.parse(json) as { symbol?: unknown; operation?: unknown };
    return {
      symbol: typeof value.symbol === 'string' ? value.symbol : null,
      operation: typeof value.operation === 'string' ? value.operation : null,
    };
  } catch {
    return undefined;
  }
}

function plain(error: CloudError): AppError {
  return appError(error.code, error.message, error.details);
}

/** The executor's answer in the portal's snake_case. */
export function toRemoteResult(result: ExecutionResult): RemoteOrderResult {
  return {
    ok: result.ok,
    code: result.ok ? null : result.code,
    message: result.message,
    client_order_id: result.clientOrderId ?? null,
    entry_id: result.entryId ?? null,
    retcode: result.retcode ?? null,
    order: result.ok ? (result.order ?? null) : null,
    deal: result.ok ? (result.deal ?? null) : null,
    position: result.ok ? (result.position ?? null) : null,
    volume: result.ok ? (result.volume ?? null) : null,
    price: result.ok ? (result.price ?? null) : null,
    duplicate: result.duplicate ?? false,
  };
}
