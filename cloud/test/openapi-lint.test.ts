import { createConfig, lintFromString } from '@redocly/openapi-core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, tempDir, testConfig } from './helpers';

// `redocly lint` with its recommended rules, run offline through the library the CLI uses, on the document
// the cloud serves at /openapi.json. Errors and warnings both fail the build (docs/operations.md).

const dir = tempDir();
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildTestApp({
    config: testConfig({ dataDir: dir.path, databaseUrl: `sqlite:${dir.path}/cloud.db` }),
  });
});

afterAll(async () => {
  await app.close();
  dir.remove();
});

describe('/openapi.json', () => {
  it('passes redocly lint (recommended rules) with no errors', async () => {
    const document = (await app.inject({ url: '/openapi.json' })).body;
    // The one rule relaxed: the API is proprietary and has no public licence page to link (info.license.url).
    const config = await createConfig({ extends: ['recommended'], rules: { 'info-license-strict': 'off' } });
    const problems = await lintFromString({ source: document, config });
    const lines = problems.map(
      (p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`,
    );
    // Warnings too: the recommended rules pass clean, so a new warning fails here rather than piling up.
    expect(lines, lines.join('\n')).toEqual([]);
    // The lint itself works: a document with a known error is reported.
    const broken = JSON.parse(document) as { paths: Record<string, Record<string, { summary?: string }>> };
    const first = Object.values(broken.paths)[0];
    const operation = first === undefined ? undefined : Object.values(first)[0];
    if (operation !== undefined) delete operation.summary;
    const again = await lintFromString({ source: JSON.stringify(broken), config });
    expect(again.some((p) => p.severity === 'error' && p.ruleId === 'operation-summary')).toBe(true);
  });
});
