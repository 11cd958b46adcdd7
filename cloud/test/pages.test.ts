import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createTestDatabase, tempDir, testConfig } from './helpers';

async function appWithPortal(
  portalDist: string,
): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const dir = tempDir();
  const db = await createTestDatabase('sqlite', dir.path);
  const app = await buildTestApp({
    config: testConfig({ dataDir: dir.path, databaseUrl: db.url }),
    portalDist,
  });
  return {
    app,
    close: async () => {
      await app.close();
      dir.remove();
    },
  };
}

describe('web pages', () => {
  const portal = tempDir();
  let withPortal: Awaited<ReturnType<typeof appWithPortal>>;
  let plain: Awaited<ReturnType<typeof appWithPortal>>;

  beforeAll(async () => {
    mkdirSync(join(portal.path, 'assets'));
    writeFileSync(join(portal.path, 'index.html'), '<!doctype html><div id="root">portal</div>');
    writeFileSync(join(portal.path, 'assets', 'app.js'), 'console.log(1)');
    withPortal = await appWithPortal(portal.path);
    plain = await appWithPortal(join(portal.path, 'missing'));
  });
  afterAll(async () => {
    await withPortal.close();
    await plain.close();
    portal.remove();
  });

  it('serves the plain reset page and its script without the portal', async () => {
    const page = await plain.app.inject({ url: '/reset-password?token=abc' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Choose a new password');
    expect(page.body).not.toMatch(/<script>[^<]/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const script = await plain.app.inject({ url: '/reset-password.js' });
    expect(script.body).toContain('/api/v1/auth/reset-password');
    expect((await plain.app.inject({ url: '/' })).statusCode).toBe(404);
  });

  it('serves the portal build, with SPA routes falling back to index.html', async () => {
    for (const url of ['/', '/reset-password?token=abc', '/account/security']) {
      const page = await withPortal.app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body).toContain('portal');
    }
    expect((await withPortal.app.inject({ url: '/assets/app.js' })).body).toBe('console.log(1)');
    const missingAsset = await withPortal.app.inject({ url: '/assets/missing.js' });
    expect(missingAsset.statusCode).toBe(404);
    const api = await withPortal.app.inject({ url: '/api/v1/unknown' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ error: { code: 'not_found', message: 'Not found.' } });
  });
});
