import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { layerConfigs } from '../eslint.layers.js';

// Lints deliberate violations with exactly the layer blocks of eslint.config.js, under the file paths where
// they would live. Each case must be refused, and each allowed import must pass, or the table is not enforced.
const eslint = new ESLint({
  overrideConfigFile: true,
  overrideConfig: [
    { files: ['**/*.{ts,tsx}'], languageOptions: { parser: tseslint.parser } },
    ...layerConfigs,
  ],
});

async function messagesFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

const refused: [string, string][] = [
  ['src-core/trading/x.ts', "import { readFileSync } from 'node:fs';"],
  ['src-core/trading/x.ts', "import fs from 'fs';"],
  ['src-core/trading/x.ts', "import { app } from 'electron';"],
  ['src-core/trading/x.ts', "import { useState } from 'react';"],
  ['src-core/trading/x.ts', "import { x } from '../../src-main/services/executor';"],
  ['src-core/trading/x.ts', "import { x } from '../../src-bridge/protocol/codec';"],
  ['src-bridge/server/x.ts', "import { app } from 'electron';"],
  ['src-bridge/server/x.ts', "import { x } from '../../src-main/services/executor';"],
  ['src-bridge/server/x.ts', "import { x } from '../../cloud/src/app';"],
  ['src-main/services/x.ts', "import { app } from 'electron';"],
  ['src-main/services/x.ts', "import { x } from '../../src-renderer/app/App';"],
  ['src-main/services/x.ts', "import { x } from '../../cloud/src/app';"],
  ['src-renderer/app/x.ts', "import { join } from 'node:path';"],
  ['src-renderer/app/x.ts', "import { ipcRenderer } from 'electron';"],
  ['src-renderer/app/x.ts', "import { x } from '../../src-main/services/executor';"],
  ['src-renderer/app/x.ts', "import { x } from '../../src-bridge/server/server';"],
  ['cloud/src/x.ts', "import { x } from '../../src-main/services/executor';"],
  ['cloud/src/x.ts', "import { x } from '../../src-bridge/protocol/codec';"],
  ['cloud/src/x.ts', "import { x } from '../../src-renderer/app/App';"],
  // Product code reaching test fakes and kits.
  ['src-main/services/x.ts', "import { FakeTradingBridge } from './testing/fake-trading-bridge';"],
  ['src-main/app/x.ts', "import { startSimSetup } from '../services/testing/sim-setup';"],
  ['src-main/ipc/x.ts', "import type { X } from './testing/test-handlers';"],
  ['src-main/host/x.ts', "export { handlersWith } from '../ipc/testing/test-handlers';"],
  ['src-bridge/server/x.ts', "import { startHarness } from '../test/harness';"],
  ['src-core/contracts/x.ts', "import { x } from '../testing/kit';"],
  ['src-renderer/app/x.ts', "import { x } from '../store/testing/fake-store';"],
  ['cloud/src/routes/sync/x.ts', "import { TestConnector } from './testing/test-kit';"],
];

const allowed: [string, string][] = [
  ['src-core/trading/x.ts', "import { z } from 'zod';"],
  [
    'src-bridge/server/x.ts',
    "import { createServer } from 'node:net'; import { ok } from '../../src-core/result';",
  ],
  ['src-main/services/x.ts', "import { x } from '../../src-bridge/server/server';"],
  ['src-main/electron/x.ts', "import { app } from 'electron';"],
  ['src-renderer/app/x.ts', "import { useState } from 'react'; import { ok } from '../../src-core/result';"],
  ['cloud/src/x.ts', "import { ok } from '../../src-core/result'; import { createServer } from 'node:http';"],
  ['e2e/x.ts', "import { x } from '../src-main/services/executor';"],
  // Tests, kits and benchmarks may use the kits.
  ['src-main/services/x.test.ts', "import { FakeTradingBridge } from './testing/fake-trading-bridge';"],
  ['src-main/services/testing/x.ts', "import { FakeTradingBridge } from './fake-trading-bridge';"],
  ['cloud/src/routes/sync/x.test.ts', "import { TestConnector } from './testing/test-kit';"],
  ['bench/x.ts', "import { startSimSetup } from '../src-main/services/testing/sim-setup';"],
  ['e2e/x.ts', "import { startSimSetup } from '../src-main/services/testing/sim-setup';"],
  // A folder merely named like "testing" is not a testing/ folder.
  ['src-main/services/x.ts', "import { x } from './testing-window';"],
];

describe('layer boundaries (docs/architecture.md, "Layers")', () => {
  it.each(refused)('refuses %s: %s', async (filePath, code) => {
    const messages = await messagesFor(filePath, code);
    expect(
      messages.some((m) => /^(@typescript-eslint\/)?no-restricted-imports: .*Bad layering/.test(m)),
      messages.join('\n'),
    ).toBe(true);
  });

  it.each(allowed)('allows %s: %s', async (filePath, code) => {
    expect(await messagesFor(filePath, code)).toEqual([]);
  });
});
