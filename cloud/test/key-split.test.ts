import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../src/clock';
import { LIMIT_NAMES } from '../src/context';
import { Keys } from '../src/security/crypto';
import { totpCodeAt } from '../src/security/totp';
import { buildTestApp, tempDir, testConfig } from './helpers';

/**
 * `fixtures/pre-key-split.sql` is the dump of a database written by the release before TOTP_SEALING_KEY (2FA
 * secrets sealed with a key derived from JWT_SECRET): one user with 2FA on and ten recovery codes, one with 2FA set up but not confirmed.
 * `pre-key-split.json` holds what that release handed out. docs/security.md, "Keys and rotation".
 */
const Fixture = z.object({
  jwtSecret: z.string(),
  users: z.array(
    z.object({
      email: z.string(),
      password: z.string(),
      totpSecret: z.string(),
      isEnabled: z.boolean(),
      recoveryCodes: z.array(z.string()),
    }),
  ),
});
const fixture = Fixture.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'pre-key-split.json'), 'utf8')),
);
const [enabled, pending] = fixture.users;
if (enabled === undefined || pending === undefined) throw new Error('fixture users missing');

const SEALING_KEY = 'sealing-key-one-sealing-key-one-sealing-key-one';
const SEALING_KEY_2 = 'sealing-key-two-sealing-key-two-sealing-key-two';
const NEW_JWT_SECRET = 'rotated-jwt-secret-rotated-jwt-secret-0123456';

describe('TOTP sealing key apart from JWT_SECRET, on a database from the release before', () => {
  const dir = tempDir();
  const file = join(dir.path, 'cloud.db');
  // The fixture is kept as the SQL dump of that release's database file (`sqlite3 cloud.db .dump`), so no binary
  // database is tracked; executing it rebuilds the same rows.
  const seed = new SqliteDatabase(file);
  seed.exec(readFileSync(join(import.meta.dirname, 'fixtures', 'pre-key-split.sql'), 'utf8'));
  seed.close();
  // After the fixture's last time step, so its codes are not replays.
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 12, 0, 0));
  afterAll(() => {
    dir.remove();
  });

  async function start(keys: {
    jwtSecret: string;
    totpSealingKey: string;
    totpSealingKeyPrevious?: string;
    totpLegacyJwtSecret?: string;
  }): Promise<FastifyInstance> {
    return buildTestApp({
      config: testConfig({ dataDir: dir.path, databaseUrl: `sqlite:${file}`, ...keys }),
      clock,
      limits: Object.fromEntries(LIMIT_NAMES.map((name) => [name, { limit: 100_000 }])),
      portalDist: `${dir.path}/no-portal`,
    });
  }

  function stored(): { email: string; totp_secret: string | null; totp_pending_secret: string | null }[] {
    const db = new SqliteDatabase(file, { readonly: true });
    try {
      return db.prepare('select email, totp_secret, totp_pending_secret from users order by email').all() as {
        email: string;
        totp_secret: string | null;
        totp_pending_secret: string | null;
      }[];
    } finally {
      db.close();
    }
  }

  /** Signs in with a second factor; a new time step each time so TOTP codes are never replays. */
  async function signIn(app: FastifyInstance, code: string | ((now: number) => string)): Promise<number> {
    clock.advance(30_000);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: {
        email: enabled?.email,
        password: enabled?.password,
        totp_code: typeof code === 'string' ? code : code(clock.now()),
      },
    });
    return response.statusCode;
  }
  const totp = (now: number): string => totpCodeAt(enabled.totpSecret, now);
  const recovery = (i: number): string => enabled.recoveryCodes[i] ?? '';

  it('re-seals every secret at upgrade; TOTP and old recovery codes keep working', async () => {
    expect(stored().every((u) => (u.totp_secret ?? u.totp_pending_secret ?? '').startsWith('v1.'))).toBe(
      true,
    );
    const app = await start({ jwtSecret: fixture.jwtSecret, totpSealingKey: SEALING_KEY });
    try {
      const rows = stored();
      expect(rows.map((u) => (u.totp_secret ?? u.totp_pending_secret ?? '').slice(0, 3))).toEqual([
        'v2.',
        'v2.',
      ]);
      expect(await signIn(app, totp)).toBe(200);
      expect(await signIn(app, recovery(0))).toBe(200);
      // The secret that was set up but not confirmed still confirms.
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: pending.email, password: pending.password },
      });
      expect(login.statusCode, login.body).toBe(200);
      const enable = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/2fa/enable',
        headers: {
          authorization: `Bearer ${login.json<{ tokens: { access_token: string } }>().tokens.access_token}`,
        },
        payload: { code: totpCodeAt(pending.totpSecret, clock.now()) },
      });
      expect(enable.statusCode, enable.body).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('a JWT_SECRET rotation leaves 2FA alone (TOTP_LEGACY_JWT_SECRET keeps pre-split recovery codes)', async () => {
    const before = stored();
    let app = await start({
      jwtSecret: NEW_JWT_SECRET,
      totpSealingKey: SEALING_KEY,
      totpLegacyJwtSecret: fixture.jwtSecret,
    });
    try {
      expect(stored()).toEqual(before);
      expect(await signIn(app, totp)).toBe(200);
      expect(await signIn(app, recovery(1))).toBe(200);
    } finally {
      await app.close();
    }
    // Without it, TOTP still works (re-sealed); only codes hashed under the old JWT_SECRET no longer match.
    app = await start({ jwtSecret: NEW_JWT_SECRET, totpSealingKey: SEALING_KEY });
    try {
      expect(await signIn(app, totp)).toBe(200);
      expect(await signIn(app, recovery(2))).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('rotates the sealing key: the previous key opens and is re-sealed away, then can be dropped', async () => {
    const before = stored();
    let app = await start({
      jwtSecret: NEW_JWT_SECRET,
      totpSealingKey: SEALING_KEY_2,
      totpSealingKeyPrevious: SEALING_KEY,
      totpLegacyJwtSecret: fixture.jwtSecret,
    });
    try {
      const after = stored();
      for (const [i, row] of after.entries()) {
        expect(row.totp_secret).not.toBe(before[i]?.totp_secret);
        expect(row.totp_secret?.split('.')[1]).not.toBe(before[i]?.totp_secret?.split('.')[1]);
      }
      expect(await signIn(app, totp)).toBe(200);
    } finally {
      await app.close();
    }
    app = await start({
      jwtSecret: NEW_JWT_SECRET,
      totpSealingKey: SEALING_KEY_2,
      totpLegacyJwtSecret: fixture.jwtSecret,
    });
    try {
      expect(await signIn(app, totp)).toBe(200);
      expect(await signIn(app, recovery(3))).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('refuses to open a value sealed with a key it was not given', () => {
    const one = new Keys({
      jwtSecret: NEW_JWT_SECRET,
      totpSealingKey: SEALING_KEY,
      legacyJwtSecret: NEW_JWT_SECRET,
    });
    const two = new Keys({
      jwtSecret: NEW_JWT_SECRET,
      totpSealingKey: SEALING_KEY_2,
      legacyJwtSecret: NEW_JWT_SECRET,
    });
    const sealed = one.sealText('JBSWY3DPEHPK3PXP');
    expect(one.openText(sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(() => two.openText(sealed)).toThrow(/neither TOTP_SEALING_KEY nor/);
    expect(two.needsReseal(sealed)).toBe(true);
    expect(one.needsReseal(sealed)).toBe(false);
  });
});
