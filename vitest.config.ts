import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Socket-heavy suites share two cores; running files one at a time keeps them honest.
    fileParallelism: false,
    pool: 'forks',
    globalSetup: ['test/support/temp-folder.ts'],
  },
});
