// Shared fixtures for the renderer's tests (test-only: lint keeps product code from importing testing/ folders).
import type { AccountInfo } from '../../src-core/contracts/ipc';
import { findCatalogSymbol } from '../../src-core/trading/catalog';
import type { SymbolSpec } from '../../src-core/trading/symbol-spec';

/** A catalog symbol's specification; throws when the catalog lacks it, so a typo fails the test at once. */
export function catalogSpec(name: string): SymbolSpec {
  const found = findCatalogSymbol(name);
  if (found === undefined) throw new Error(`catalog lacks ${name}`);
  return found;
}

/** A 10,000 USD hedging demo account with nothing open, 1:100; `patch` changes what a test is about. */
export function testAccount(patch: Partial<AccountInfo> = {}): AccountInfo {
  return {
    login: '1',
    server: 'Demo',
    name: 'T',
    company: 'C',
    currency: 'USD',
    currencyDigits: 2,
    leverage: 100,
    marginMode: 'hedging',
    accountTradeMode: 'demo',
    balance: 10_000,
    equity: 10_000,
    profit: 0,
    margin: 0,
    freeMargin: 10_000,
    marginLevel: null,
    isTradeAllowed: true,
    timeOffsetSec: 0,
    ...patch,
  };
}
