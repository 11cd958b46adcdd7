import type { TradeRuleView } from '../../../src-core/contracts/ipc-trade-rules';
import type { Logger } from '../../../src-core/logger';
import { StopRule } from '../../../src-core/trading/stop-rules';
import { Side } from '../../../src-core/trading/symbol-spec';
import { migrate, type Db, type Migration } from '../database';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'trade rules per position',
    up: (db) => {
      db.exec(`CREATE TABLE trade_rules (
        account TEXT NOT NULL,
        ticket TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL,
        rule TEXT NOT NULL,
        status TEXT NOT NULL,
        note TEXT,
        last_tried_sl REAL,
        moves INTEGER NOT NULL,
        refusals INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (account, ticket)
      )`);
    },
  },
];

interface Row {
  account: string;
  ticket: string;
  symbol: string;
  side: string;
  rule: string;
  status: string;
  note: string | null;
  last_tried_sl: number | null;
  moves: number;
  refusals: number;
  updated_at: number;
}

/**
 * The trailing/break-even rules in the app's SQLite file (`trade_rules`, migration scope `trade_rules`), so they
 * are re-armed after a restart. Every change is written before it is announced.
 */
export class RuleStore {
  readonly #db: Db;
  readonly #logger: Logger;

  constructor(db: Db, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
    migrate(db, 'trade_rules', MIGRATIONS);
  }

  /** Every stored rule; a row that no longer parses (hand-edited, older shape) is logged and deleted. */
  load(): TradeRuleView[] {
    const rows = this.#db.prepare<[], Row>('SELECT * FROM trade_rules ORDER BY updated_at').all();
    const out: TradeRuleView[] = [];
    for (const row of rows) {
      const rule = StopRule.safeParse(safeJson(row.rule));
      const side = Side.safeParse(row.side);
      if (!rule.success || !side.success || (row.status !== 'armed' && row.status !== 'paused')) {
        this.#logger.warn('trade rules: unreadable row dropped', {
          account: row.account,
          ticket: row.ticket,
        });
        this.remove(row.account, row.ticket);
        continue;
      }
      out.push({
        account: row.account,
        ticket: row.ticket,
        symbol: row.symbol,
        side: side.data,
        rule: rule.data,
        status: row.status,
        note: row.note,
        lastTriedSl: row.last_tried_sl,
        moves: row.moves,
        refusals: row.refusals,
        updatedAtMs: row.updated_at,
      });
    }
    return out;
  }

  save(r: TradeRuleView): void {
    this.#db
      .prepare(
        `INSERT INTO trade_rules (account, ticket, symbol, side, rule, status, note, last_tried_sl, moves, refusals, updated_at)
         VALUES (@account, @ticket, @symbol, @side, @rule, @status, @note, @lastTriedSl, @moves, @refusals, @updatedAtMs)
         ON CONFLICT (account, ticket) DO UPDATE SET symbol = excluded.symbol, side = excluded.side,
           rule = excluded.rule, status = excluded.status, note = excluded.note,
           last_tried_sl = excluded.last_tried_sl, moves = excluded.moves, refusals = excluded.refusals,
           updated_at = excluded.updated_at`,
      )
      .run({ ...r, rule: JSON.stringify(r.rule) });
  }

  remove(account: string, ticket: string): void {
    this.#db.prepare('DELETE FROM trade_rules WHERE account = ? AND ticket = ?').run(account, ticket);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
