import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 20_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['./tests/helpers/globalSetup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Each file gets its own database, but they share 2 cores: run files one at a time for stable timing.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // The fault matrix: the simulator's faults and hostile input against a real Postgres, with figures printed.
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          globalSetup: ['./tests/helpers/globalSetup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // The web console in real Chromium (tests/helpers/browser.ts): one world and one browser per file.
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          globalSetup: ['./tests/helpers/globalSetup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
