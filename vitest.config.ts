import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src-core/**/*.test.ts',
      'src-bridge/**/*.test.ts',
      'src-main/**/*.test.ts',
      'src-renderer/**/*.test.{ts,tsx}',
      'cloud/**/*.test.ts',
      'e2e/**/*.test.ts',
      'test/**/*.test.ts',
      'scripts/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for a state to be reached (a row shown, a message received), and returns as soon as it is:
    // its timeout is a step's budget, not a wait. Vitest's 1 s default is a timing assumption that a step on a
    // machine under a load of 20-30 (a page's script to run, a socket round trip) can miss; 15 s cannot be.
    expect: { poll: { timeout: 15_000 } },
    // Two cores: files that share PostgreSQL/Redis/Chromium run in separate workers but not too many at once.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
