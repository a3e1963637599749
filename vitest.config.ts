import { defineConfig } from 'vitest/config';

// isolated-vm needs --no-node-snapshot on Node 20, so tests run in forked
// processes started with that flag (docs/operations.md).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts', 'web/src/**/*.test.tsx'],
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
