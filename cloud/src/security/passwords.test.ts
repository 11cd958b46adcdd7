import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARGON2, PasswordHasher, hashScheme } from './passwords';
import { Semaphore } from './semaphore';

const LIGHT = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

describe('PasswordHasher', () => {
  it('hashes with argon2id m=65536, t=3, p=4 by default', async () => {
    const hasher = new PasswordHasher();
    expect(hasher.params).toEqual({ memoryCost: 65_536, timeCost: 3, parallelism: 4 });
    const hash = await hasher.hash('a long enough passphrase');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=4\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify(hash, 'a long enough passphrase')).toEqual({
      isValid: true,
      needsRehash: false,
      scheme: 'argon2id',
    });
    expect((await hasher.verify(hash, 'a long enough passphrasE')).isValid).toBe(false);
    expect(DEFAULT_ARGON2).toEqual(hasher.params);
  });

  it('verifies the reference argon2id vector and asks to rehash weaker parameters', async () => {
    const hasher = new PasswordHasher(DEFAULT_ARGON2);
    const reference =
      '$argon2id$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$vfMrBczELrFdWP0ZsfhWsRPaHppYdP3MVEMIVlqoFBw';
    expect(await hasher.verify(reference, 'password')).toEqual({
      isValid: true,
      needsRehash: true,
      scheme: 'argon2id',
    });
  });

  it('verifies bcrypt $2a$/$2b$/$2y$ and asks to rehash; refuses inputs bcrypt would truncate', async () => {
    const hasher = new PasswordHasher(LIGHT);
    expect(
      await hasher.verify('$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'U*U'),
    ).toEqual({
      isValid: true,
      needsRehash: true,
      scheme: 'bcrypt',
    });
    const b = bcrypt.hashSync('legacy secret', 4);
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      expect((await hasher.verify(prefix + b.slice(4), 'legacy secret')).isValid).toBe(true);
    }
    expect(hashScheme('$2x$05$abc')).toBe('unknown');
    const long = 'a'.repeat(72);
    const truncating = bcrypt.hashSync(long, 4);
    expect((await hasher.verify(truncating, `${long}b`)).isValid).toBe(false);
  });

  it('verifies passlib pbkdf2_sha256 (its own known answer) and refuses a wrong password', async () => {
    const hasher = new PasswordHasher(LIGHT);
    const stored = '$pbkdf2-sha256$1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ';
    expect(await hasher.verify(stored, 'password')).toEqual({
      isValid: true,
      needsRehash: true,
      scheme: 'pbkdf2_sha256',
    });
    expect((await hasher.verify(stored, 'Password')).isValid).toBe(false);
    expect((await hasher.verify('$pbkdf2-sha256$x$y$z', 'password')).isValid).toBe(false);
    expect((await hasher.verify('plain text', 'plain text')).isValid).toBe(false);
  });

  it('never runs more hashes at once than its concurrency', async () => {
    const hasher = new PasswordHasher(LIGHT, 2);
    let peak = 0;
    const probe = setInterval(() => {
      peak = Math.max(peak, hasher.load.active);
    }, 0);
    await Promise.all(Array.from({ length: 8 }, (_, i) => hasher.hash(`password number ${i}`)));
    clearInterval(probe);
    expect(peak).toBeLessThanOrEqual(2);
    expect(hasher.load).toEqual({ active: 0, waiting: 0 });
  });
});

describe('Semaphore', () => {
  it('queues beyond its limit and releases in order', async () => {
    const semaphore = new Semaphore(1);
    const order: number[] = [];
    let release: () => void = () => undefined;
    const first = semaphore.run(
      () =>
        new Promise<void>((resolve) => {
          order.push(1);
          release = resolve;
        }),
    );
    const second = semaphore.run(() => {
      order.push(2);
      return Promise.resolve();
    });
    expect(semaphore.load).toEqual({ active: 1, waiting: 1 });
    release();
    await Promise.all([first, second]);
    expect(order).toEqual([1, 2]);
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
