import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Suites read real archives from ../shared/data; two workers match this machine's two cores.
    maxWorkers: 2,
  },
});
