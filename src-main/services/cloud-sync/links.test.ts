import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../database';
import { CloudLinks } from './links';

let db: Db | undefined;
let dir = '';
afterEach(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const open = (): CloudLinks => {
  dir = mkdtempSync(join(tmpdir(), 'pipdesk-links-'));
  db = openDatabase(join(dir, 'pipdesk.db'));
  return new CloudLinks(db);
};

describe('cloud links', () => {
  it('keeps the account → connection link with remote trading off by default, across reopen', () => {
    const links = open();
    const link = links.save('5001@Demo-Server', 'c-1', 1000);
    expect(link).toEqual({
      accountKey: '5001@Demo-Server',
      connectionId: 'c-1',
      isRemoteTradingOn: false,
      linkedAt: 1000,
    });
    expect(links.setRemoteTrading('5001@Demo-Server', true)).toBe(true);
    expect(links.setRemoteTrading('9@Nowhere', true)).toBe(false);
    db?.close();
    db = openDatabase(join(dir, 'pipdesk.db'));
    expect(new CloudLinks(db).get('5001@Demo-Server')?.isRemoteTradingOn).toBe(true);
  });

  it('tags each entry with its account once, and clears links and meta for another user', () => {
    const links = open();
    links.tagEntry('e-1', 'a@s');
    links.tagEntry('e-1', 'b@s');
    expect(links.entryAccounts(['e-1', 'e-2'])).toEqual(new Map([['e-1', 'a@s']]));
    links.save('a@s', 'c-1', 1);
    links.setMeta('user_id', 'u-1');
    links.clear();
    expect(links.all()).toEqual([]);
    expect(links.meta('user_id')).toBeUndefined();
  });
});
