// Helpers for the sync tests (not used by the service): a connector client speaking the real protocol over a
// real socket, the way the desktop does, and journal entries shaped like the desktop's.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import {
  ConnectorServerMessage,
  type ConnectorClientMessage,
  type StatusSnapshot,
} from '../../../../../src-core/contracts/connector';
import type { JournalEntry } from '../../../../../src-core/contracts/journal';

export class TestConnector {
  readonly received: ConnectorServerMessage[] = [];
  private waiters: {
    match: (m: ConnectorServerMessage) => boolean;
    resolve: (m: ConnectorServerMessage) => void;
  }[] = [];
  closeCode: number | undefined;
  private readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = ConnectorServerMessage.parse(JSON.parse(data.toString('utf8')));
      // A message goes to the first waiter that wants it, else it is kept for a later next().
      const waiter = this.waiters.find((w) => w.match(message));
      if (waiter === undefined) {
        this.received.push(message);
        return;
      }
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      });
    });
  }

  /** Opens `/ws/connector` and waits for the welcome frame. */
  static async open(baseUrl: string, token: string, connectionId: string): Promise<TestConnector> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/ws/connector?connection_id=${connectionId}`;
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    const connector = new TestConnector(socket);
    await connector.next((m) => m.type === 'welcome');
    return connector;
  }

  send(message: ConnectorClientMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  /** The first message (received already or still to come) that matches. */
  next<T extends ConnectorServerMessage>(match: (m: ConnectorServerMessage) => m is T): Promise<T>;
  next(match: (m: ConnectorServerMessage) => boolean): Promise<ConnectorServerMessage>;
  next(match: (m: ConnectorServerMessage) => boolean): Promise<ConnectorServerMessage> {
    const known = this.received.find(match);
    if (known !== undefined) {
      this.received.splice(this.received.indexOf(known), 1);
      return Promise.resolve(known);
    }
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  async close(): Promise<void> {
    if (this.closeCode !== undefined) return;
    this.socket.close(1000, 'bye');
    await this.closed;
  }
}

let sequence = 0;

/** A desktop journal entry (src-core/contracts/journal.ts), done by default. */
export function makeEntry(overrides: Partial<JournalEntry> = {}): JournalEntry {
  sequence += 1;
  const createdAt = overrides.createdAt ?? 1_790_000_000_000 + sequence * 1000;
  return {
    id: randomUUID(),
    clientOrderId: `PD${sequence.toString(36).padStart(8, '0')}`,
    parentId: null,
    origin: 'local',
    operation: 'open_market',
    requestKey: null,
    symbol: 'EURUSD',
    side: 'buy',
    volume: 0.1,
    intent: { operation: 'open_market', input: { symbol: 'EURUSD', side: 'buy', volume: 0.1 } },
    state: 'done',
    outcome: 'done',
    request: null,
    response: null,
    retcode: 10009,
    retcodeName: 'TRADE_RETCODE_DONE',
    message: 'Bought 0.10 EURUSD at 1.08512',
    errorCode: null,
    requestedPrice: 1.0851,
    filledPrice: 1.08512,
    filledVolume: 0.1,
    bid: 1.0851,
    ask: 1.08512,
    sl: null,
    tp: null,
    margin: 36.17,
    freeMargin: 9963.83,
    order: String(5_000_000 + sequence),
    deal: String(6_000_000 + sequence),
    position: String(5_000_000 + sequence),
    attempts: 1,
    reconcileAttempts: 0,
    createdAt,
    sentAt: createdAt + 1,
    completedAt: createdAt + 40,
    latencyMs: 39,
    updatedAt: createdAt + 40,
    version: 3,
    ...overrides,
  };
}

/** A connector journal frame entry carrying a desktop entry. */
export const asFrame = (
  entry: JournalEntry,
): { id: string; at_ms: number; kind: string; payload: Record<string, unknown> } => ({
  id: entry.id,
  at_ms: entry.updatedAt,
  kind: 'trade',
  payload: entry,
});

export interface TestUser {
  readonly token: string;
  readonly connectionId: string;
}

/** Registers a user and creates one connection through the API. */
export async function userWithConnection(app: FastifyInstance, login = '51234567'): Promise<TestUser> {
  const email = `sync-${randomUUID().slice(0, 8)}@example.com`;
  const registered = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password: 'a long enough test passphrase' },
  });
  if (registered.statusCode !== 201) throw new Error(`register: ${registered.statusCode} ${registered.body}`);
  const token = registered.json<{ tokens: { access_token: string } }>().tokens.access_token;
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/connections',
    headers: { authorization: `Bearer ${token}` },
    payload: { name: 'Demo account', broker_server: 'Exness-MT5Trial7', account_login: login },
  });
  if (created.statusCode !== 201) throw new Error(`connection: ${created.statusCode} ${created.body}`);
  return { token, connectionId: created.json<{ id: string }>().id };
}

export const snapshot = (balance: number, extra: Partial<StatusSnapshot> = {}): StatusSnapshot => ({
  type: 'status',
  at_ms: Date.now(),
  terminal_connected: true,
  ea_connected: true,
  account: {
    login: '51234567',
    server: 'Exness-MT5Trial7',
    currency: 'USD',
    balance,
    equity: balance + 12.5,
    margin: 36.17,
    free_margin: balance - 23.67,
    leverage: 500,
  },
  open_positions: 1,
  pending_orders: 0,
  ...extra,
});
