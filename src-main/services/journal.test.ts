import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalEntry } from '../../src-core/contracts/journal';
import type { Db } from './database';
import { openDatabase } from './database';
import type { NewJournalEntry } from './journal';
import { Journal } from './journal';

let dir: string;
let db: Db;
const opened: Journal[] = [];
/** A journal on the test's database, closed after the test (it holds a second connection for durable writes). */
function journalOn(d: Db): Journal {
  const j = new Journal(d, clock);
  opened.push(j);
  return j;
}
let now = 1_700_000_000_000;
const clock = { now: () => now };

function sample(i: number, extra: Partial<NewJournalEntry> = {}): NewJournalEntry {
  return {
    clientOrderId: `PD${i.toString().padStart(6, '0')}`,
    parentId: null,
    origin: 'local',
    operation: 'open_market',
    requestKey: null,
    symbol: i % 2 === 0 ? 'EURUSD' : 'XAUUSD',
    side: 'buy',
    volume: 0.1,
    intent: { operation: 'open_market', input: { symbol: 'EURUSD', side: 'buy', volume: 0.1 } },
    state: 'pending',
    ...extra,
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pipdesk-journal-'));
  db = openDatabase(join(dir, 'pipdesk.db'));
});
afterEach(() => {
  for (const j of opened.splice(0)) j.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Journal', () => {
  it('writes an entry that matches the contract and reads it back after reopening the file', () => {
    const journal = journalOn(db);
    const e = journal.insert(sample(1, { requestKey: 'k1' }), { durable: true });
    expect(JournalEntry.parse(e)).toEqual(e);
    db.close();
    db = openDatabase(join(dir, 'pipdesk.db'));
    const again = journalOn(db);
    expect(again.get(e.id)).toEqual(e);
    expect(again.getByClientOrderId('PD000001')?.id).toBe(e.id);
    expect(again.findByRequestKey('k1')?.id).toBe(e.id);
  });

  it('bumps version and updatedAt on every update and keeps JSON columns intact', () => {
    const journal = journalOn(db);
    const e = journal.insert(sample(1), { durable: false });
    now += 5;
    const u = journal.update(e.id, {
      state: 'done',
      retcode: 10009,
      request: { a: [1, 'x'] },
      response: { deal: '123' },
      filledPrice: 1.08512,
      order: '99',
    });
    expect(u.version).toBe(2);
    expect(u.updatedAt).toBe(e.createdAt + 5);
    expect(u.request).toEqual({ a: [1, 'x'] });
    expect(u.state).toBe('done');
    expect(u.order).toBe('99');
    expect(() => journal.update('nope', { state: 'done' })).toThrow(/no entry/);
  });

  it('refuses a second entry with the same client order id', () => {
    const journal = journalOn(db);
    journal.insert(sample(1), { durable: false });
    expect(() => journal.insert(sample(1), { durable: false })).toThrow(/UNIQUE/);
  });

  it('lists open entries and pages queries newest first with filters', () => {
    const journal = journalOn(db);
    for (let i = 0; i < 25; i += 1) {
      now += 1;
      const e = journal.insert(sample(i), { durable: false });
      if (i % 3 === 0) journal.update(e.id, { state: 'done' });
      if (i % 3 === 1) journal.update(e.id, { state: 'unknown' });
    }
    expect(journal.listOpen().map((e) => e.state)).toSatisfy((s: string[]) =>
      s.every((x) => x === 'pending' || x === 'unknown'),
    );
    expect(journal.listOpen()).toHaveLength(25 - 9);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = journal.query(cursor === undefined ? { limit: 4 } : { limit: 4, cursor });
      seen.push(...page.entries.map((e) => e.clientOrderId));
      if (page.nextCursor === undefined) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(25);
    expect(seen[0]).toBe('PD000024');
    expect(new Set(seen).size).toBe(25);

    const done = journal.query({ states: ['done'], symbol: 'EURUSD' });
    expect(done.entries.every((e) => e.state === 'done' && e.symbol === 'EURUSD')).toBe(true);
    expect(done.entries).toHaveLength(5);

    const first = journal.query({ limit: 500 }).entries.at(-1);
    const ranged = journal.query({ from: (first?.createdAt ?? 0) + 10, to: (first?.createdAt ?? 0) + 12 });
    expect(ranged.entries).toHaveLength(2);
  });

  it('rejects bad queries from the UI', () => {
    const journal = journalOn(db);
    expect(() => journal.query({ limit: 0 })).toThrow();
    expect(() => journal.query({ states: ['bogus' as 'done'] })).toThrow();
    expect(() => journal.query({ limit: 5, extra: 1 } as never)).toThrow();
    // A garbled cursor is ignored rather than crashing the view.
    expect(journal.query({ cursor: '%%%' }).entries).toEqual([]);
  });

  it('queues every change in the outbox; acknowledging an old seq keeps a newer change queued', () => {
    const journal = journalOn(db);
    const a = journal.insert(sample(1), { durable: false });
    const b = journal.insert(sample(2), { durable: false });
    const first = journal.listUnsynced(10);
    expect(first.map((i) => i.entry.id)).toEqual([a.id, b.id]);
    journal.update(a.id, { state: 'done' });
    expect(journal.markSynced(first.map((i) => i.seq))).toBe(1);
    const second = journal.listUnsynced(10);
    expect(second).toHaveLength(1);
    expect(second[0]?.entry.state).toBe('done');
    expect(second[0]?.entry.version).toBe(2);
    expect(journal.markSynced(second.map((i) => i.seq))).toBe(1);
    expect(journal.listUnsynced(10)).toEqual([]);
  });

  it('announces every change to subscribers until they unsubscribe', () => {
    const journal = journalOn(db);
    const seen: string[] = [];
    const off = journal.onChanged((e) => seen.push(`${e.clientOrderId}:${e.state}`));
    const e = journal.insert(sample(7), { durable: false });
    journal.update(e.id, { state: 'sent' });
    off();
    journal.update(e.id, { state: 'done' });
    expect(seen).toEqual(['PD000007:pending', 'PD000007:sent']);
  });

  it('runs each migration once', () => {
    journalOn(db);
    journalOn(db);
    const rows = db.prepare("SELECT version FROM schema_migrations WHERE scope = 'journal'").all();
    expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
  });
});

describe('Journal: final states are never left', () => {
  it('ignores a patch to a done or rejected entry and announces nothing', () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'pipdesk-journal-mono-'));
    const db2 = openDatabase(join(dir2, 'pipdesk.db'));
    const j = journalOn(db2);
    try {
      const e = j.insert(
        {
          clientOrderId: 'Pmonotonic00001',
          parentId: null,
          origin: 'local',
          operation: 'open_market',
          requestKey: null,
          symbol: 'EURUSD',
          side: 'buy',
          volume: 0.1,
          intent: {},
          state: 'pending',
        },
        { durable: false, account: '1@S' },
      );
      expect(j.accountOf(e.id)).toBe('1@S');
      const done = j.update(e.id, { state: 'done', message: 'Bought' });
      const seen: string[] = [];
      j.onChanged((x) => seen.push(x.state));
      const late = j.update(e.id, { state: 'failed', message: 'Not executed' });
      expect(late).toEqual(done);
      expect(j.get(e.id)?.state).toBe('done');
      expect(seen).toEqual([]);
      expect(() => j.update('nope', { state: 'done' })).toThrow(/no entry/);
    } finally {
      j.close();
      db2.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });
});

describe('Journal: account kind', () => {
  it('marks each row with the kind of the account it went to, as written, and keeps it', () => {
    const dir3 = mkdtempSync(join(tmpdir(), 'pipdesk-journal-kind-'));
    const db3 = openDatabase(join(dir3, 'pipdesk.db'));
    let paperKeys = new Set(['1@X #paper']);
    const j = new Journal(db3, { now: () => 1_000 }, undefined, {
      accountKind: (account) => (paperKeys.has(account) ? 'paper' : 'real'),
    });
    try {
      const base = {
        clientOrderId: 'c1',
        parentId: null,
        origin: 'local',
        operation: 'open_market',
        requestKey: null,
        symbol: 'EURUSD',
        side: 'buy',
        volume: 0.1,
        intent: {},
        state: 'pending',
      } as const;
      const paper = j.insert(base, { durable: false, account: '1@X #paper' });
      const real = j.insert({ ...base, clientOrderId: 'c2' }, { durable: false, account: '1@X' });
      expect([paper.accountKind, real.accountKind]).toEqual(['paper', 'real']);
      // Fixed when written: a later change of which accounts are paper does not rewrite history.
      paperKeys = new Set();
      const page = j.query({ limit: 10 });
      expect(page.entries.map((e) => [e.clientOrderId, e.accountKind])).toEqual(
        expect.arrayContaining([
          ['c1', 'paper'],
          ['c2', 'real'],
        ]),
      );
    } finally {
      j.close();
      db3.close();
      rmSync(dir3, { recursive: true, force: true });
    }
  });
});
