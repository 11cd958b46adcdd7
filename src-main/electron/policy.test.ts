import { describe, expect, it } from 'vitest';
import { APP_ENTRY, isAllowedExternal, isAppUrl } from './policy';

describe('Electron trust rules', () => {
  it('trusts only the app origin, compared parsed', () => {
    expect(isAppUrl(APP_ENTRY)).toBe(true);
    expect(isAppUrl('pipdesk://app/assets/index-1.js')).toBe(true);
    for (const url of [
      'pipdesk://app.evil.com/index.html',
      'pipdesk://user:pw@app/index.html',
      'pipdesk://other/index.html',
      'https://app/index.html',
      'file:///C:/app/index.html',
      'http://127.0.0.1:5173/',
      'about:blank',
      'javascript:alert(1)',
      '',
      null,
      undefined,
    ]) {
      expect(isAppUrl(url)).toBe(false);
    }
  });

  it('opens externally only https links of allowed origins', () => {
    const allowed = ['https://pipdesk.example'];
    expect(isAllowedExternal('https://pipdesk.example/account', allowed)).toBe(true);
    expect(isAllowedExternal('http://pipdesk.example/account', allowed)).toBe(false);
    expect(isAllowedExternal('https://pipdesk.example.evil.com/', allowed)).toBe(false);
    expect(isAllowedExternal('file:///etc/passwd', allowed)).toBe(false);
    expect(isAllowedExternal('not a url', allowed)).toBe(false);
  });
});
