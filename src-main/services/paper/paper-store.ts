import { z } from 'zod';
import type { TradeSnapshot } from '../../../src-bridge/simulator/trade-server';
import { WireDeal, WireMarginMode, WireOrder, WirePosition } from '../../../src-bridge/protocol/messages';
import type { Clock } from '../../../src-core/clock';
import { migrate, type Db, type Migration } from '../database';

/** A paper account's fixed properties, copied from the live account it follows when it was opened. */
export const PaperAccountConfig = z.object({
  /** The paper session's login and server (its key is `login@server`). */
  login: z.string().regex(/^[0-9]{1,20}$/),
  server: z.string().min(1).max(128),
  /** `login@server` of the live terminal whose prices it fills at. */
  sourceKey: z.string().min(1),
  currency: z.string().min(1).max(16),
  currencyDigits: z.number().int().min(0).max(8),
  leverage: z.number().int().positive(),
  marginMode: WireMarginMode,
  /** The balance it starts with (and goes back to on reset). */
  startingBalance: z.number().positive(),
  /**
   * Its costs (docs/paper-trading.md, "Costs"). Absent in accounts saved before costs existed, which then take the
   * defaults when they open: the live broker's profile commission, no slippage.
   */
  commissionPerLotPerSide: z.number().min(0).max(1_000).optional(),
  commissionFrom: z.string().max(80).optional(),
  slippagePoints: z.number().int().min(0).max(10_000).optional(),
});
export type PaperAccountConfig = z.infer<typeof PaperAccountConfig>;

/** A saved paper account: its properties and its trade server's state. */
export interface StoredPaperAccount {
  readonly key: string;
  readonly config: PaperAccountConfig;
  readonly snapshot: TradeSnapshot;
  readonly createdAtMs: number;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'paper accounts, book and history',
    up: (db) => {
      db.exec(`
        CREATE TABLE paper_accounts (
          key TEXT PRIMARY KEY,
          config TEXT NOT NULL,
          balance REAL NOT NULL,
          next_order_ticket INTEGER NOT NULL,
          next_deal_ticket INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        -- The book (open positions and working orders) is small and rewritten whole on each save.
        CREATE TABLE paper_book (
          account_key TEXT NOT NULL REFERENCES paper_accounts(key) ON DELETE CASCADE,
          kind TEXT NOT NULL CHECK (kind IN ('position', 'order')),
          ticket TEXT NOT NULL,
          body TEXT NOT NULL,
          PRIMARY KEY (account_key, kind, ticket)
        );
        -- History only grows: each save appends the rows past the last stored seq.
        CREATE TABLE paper_history_orders (
          account_key TEXT NOT NULL REFERENCES paper_accounts(key) ON DELETE CASCADE,
          seq INTEGER NOT NULL,
          ticket TEXT NOT NULL,
          body TEXT NOT NULL,
          PRIMARY KEY (account_key, seq)
        );
        CREATE TABLE paper_deals (
          account_key TEXT NOT NULL REFERENCES paper_accounts(key) ON DELETE CASCADE,
          seq INTEGER NOT NULL,
          ticket TEXT NOT NULL,
          time_msc INTEGER NOT NULL,
          body TEXT NOT NULL,
          PRIMARY KEY (account_key, seq)
        );
      `);
    },
  },
];

const parseRows = <T>(schema: z.ZodType<T>, rows: readonly { body: string }[]): T[] =>
  rows.map((r) => schema.parse(JSON.parse(r.body)));

/**
 * Paper accounts in the app's database (own tables, migration scope `paper`): the balance, the book and the
 * history of each, so a paper account carries on after a restart exactly where it stopped. See
 * docs/paper-trading.md.
 */
export class PaperStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    migrate(db, 'paper', MIGRATIONS);
  }

  /** Keys of the saved paper accounts, oldest first. */
  keys(): string[] {
    return this.#db
      .prepare<[], { key: string }>('SELECT key FROM paper_accounts ORDER BY created_at, key')
      .all()
      .map((r) => r.key);
  }

  /** The saved paper account whose prices come from `sourceKey`, if any. */
  findBySource(sourceKey: string): StoredPaperAccount | undefined {
    for (const key of this.keys()) {
      const stored = this.load(key);
      if (stored?.config.sourceKey === sourceKey) return stored;
    }
    return undefined;
  }

  /** A saved paper account, or undefined. Rows are checked with the protocol's schemas as they are read. */
  load(key: string): StoredPaperAccount | undefined {
    const db = this.#db;
    const row = db
      .prepare<
        [string],
        {
          config: string;
          balance: number;
          next_order_ticket: number;
          next_deal_ticket: number;
          created_at: number;
        }
      >(
        'SELECT config, balance, next_order_ticket, next_deal_ticket, created_at FROM paper_accounts WHERE key = ?',
      )
      .get(key);
    if (row === undefined) return undefined;
    const book = (kind: 'position' | 'order'): { body: string }[] =>
      db
        .prepare<[string, string], { body: string }>(
          'SELECT body FROM paper_book WHERE account_key = ? AND kind = ? ORDER BY ticket',
        )
        .all(key, kind);
    const history = db
      .prepare<[string], { body: string }>(
        'SELECT body FROM paper_history_orders WHERE account_key = ? ORDER BY seq',
      )
      .all(key);
    const deals = db
      .prepare<[string], { body: string }>('SELECT body FROM paper_deals WHERE account_key = ? ORDER BY seq')
      .all(key);
    return {
      key,
      config: PaperAccountConfig.parse(JSON.parse(row.config)),
      createdAtMs: row.created_at,
      snapshot: {
        balance: row.balance,
        positions: parseRows(WirePosition, book('position')),
        orders: parseRows(WireOrder, book('order')),
        historyOrders: parseRows(WireOrder, history),
        deals: parseRows(WireDeal, deals),
        nextOrderTicket: row.next_order_ticket,
        nextDealTicket: row.next_deal_ticket,
      },
    };
  }

  /**
   * Saves an account's state in one transaction: the account row and the book replaced, history rows past the
   * stored ones appended (history never changes once written, so a save costs what changed, not the history).
   */
  save(key: string, config: PaperAccountConfig, snapshot: TradeSnapshot): void {
    const db = this.#db;
    const now = this.#clock.now();
    db.transaction(() => {
      db.prepare(
        `INSERT INTO paper_accounts (key, config, balance, next_order_ticket, next_deal_ticket, created_at, updated_at)
         VALUES (@key, @config, @balance, @nextOrder, @nextDeal, @now, @now)
         ON CONFLICT (key) DO UPDATE SET config = @config, balance = @balance, next_order_ticket = @nextOrder,
           next_deal_ticket = @nextDeal, updated_at = @now`,
      ).run({
        key,
        config: JSON.stringify(config),
        balance: snapshot.balance,
        nextOrder: snapshot.nextOrderTicket,
        nextDeal: snapshot.nextDealTicket,
        now,
      });
      db.prepare('DELETE FROM paper_book WHERE account_key = ?').run(key);
      const insertBook = db.prepare(
        'INSERT INTO paper_book (account_key, kind, ticket, body) VALUES (?, ?, ?, ?)',
      );
      for (const p of snapshot.positions) insertBook.run(key, 'position', p.ticket, JSON.stringify(p));
      for (const o of snapshot.orders) insertBook.run(key, 'order', o.ticket, JSON.stringify(o));
      const count = (table: 'paper_history_orders' | 'paper_deals'): number =>
        db
          .prepare<[string], { n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE account_key = ?`)
          .get(key)?.n ?? 0;
      const historyCount = count('paper_history_orders');
      const dealCount = count('paper_deals');
      const insertHistory = db.prepare(
        'INSERT INTO paper_history_orders (account_key, seq, ticket, body) VALUES (?, ?, ?, ?)',
      );
      snapshot.historyOrders.forEach((o, seq) => {
        if (seq >= historyCount) insertHistory.run(key, seq, o.ticket, JSON.stringify(o));
      });
      const insertDeal = db.prepare(
        'INSERT INTO paper_deals (account_key, seq, ticket, time_msc, body) VALUES (?, ?, ?, ?, ?)',
      );
      snapshot.deals.forEach((d, seq) => {
        if (seq >= dealCount) insertDeal.run(key, seq, d.ticket, d.timeMsc, JSON.stringify(d));
      });
    })();
  }

  /** Deletes a paper account with its book and history (a reset starts it again from its starting balance). */
  remove(key: string): void {
    this.#db.prepare('DELETE FROM paper_accounts WHERE key = ?').run(key);
  }
}
