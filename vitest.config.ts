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
    // Two cores: files that share PostgreSQL/Redis/Chromium run in separate workers but not too many at once.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
