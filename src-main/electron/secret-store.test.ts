import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSecretStore, type Cipher } from './secret-store';

/** Stands in for the OS keyring behind safeStorage: real AES-GCM with a per-"user" key. */
function aesCipher(key = randomBytes(32), backend = 'gnome_libsecret'): Cipher {
  return {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => backend,
    encryptString(text) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(buf) {
      const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'pipdesk-secrets-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('secret store', () => {
  it('stores ciphertext only and reads it back', () => {
    const file = join(dir, 'a.json');
    const store = createSecretStore(file, aesCipher());
    expect(store.save('cloud.refresh', 'rt-very-secret').ok).toBe(true);
    expect(readFileSync(file, 'utf8')).not.toContain('very-secret');
    expect(store.load('cloud.refresh')).toEqual({ ok: true, value: 'rt-very-secret' });
    expect(store.load('missing')).toEqual({ ok: true, value: null });
    store.remove('cloud.refresh');
    expect(store.load('cloud.refresh')).toEqual({ ok: true, value: null });
  });

  it('asks to sign in again when another key cannot decrypt', () => {
    const file = join(dir, 'b.json');
    createSecretStore(file, aesCipher()).save('cloud.refresh', 'x');
    const res = createSecretStore(file, aesCipher()).load('cloud.refresh');
    expect(!res.ok && res.error.code).toBe('SECRET_UNREADABLE');
  });

  it('refuses to store on a keyring-less Linux (basic_text) and tolerates a damaged file', () => {
    const store = createSecretStore(join(dir, 'c.json'), aesCipher(randomBytes(32), 'basic_text'));
    expect(store.isAvailable()).toBe(false);
    expect(!store.save('cloud.refresh', 'x').ok).toBe(true);
    const damaged = join(dir, 'd.json');
    writeFileSync(damaged, '{"cloud.refresh": 42');
    expect(createSecretStore(damaged, aesCipher()).load('cloud.refresh')).toEqual({ ok: true, value: null });
  });
});
