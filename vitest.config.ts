import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two workers match this machine's two cores.
    maxWorkers: 2,
    // The default report, then how many tests were skipped and why (a missing prerequisite: tests/helpers/prerequisites.ts).
    reporters: ['default', './tests/helpers/skip-report.ts'],
  },
});
