import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      {
        test: {
          name: 'integration',
          include: [
            'test/integration/**/*.test.ts',
            'test/report/**/*.test.ts',
            'test/image/**/*.test.ts',
            'test/faults/**/*.test.ts',
            'test/security/**/*.test.ts',
            'test/action/**/*.test.ts',
            'test/install/**/*.test.ts',
          ],
          // Real sandboxes on 2 cores: a few files at a time, generous timeouts.
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'limits',
          include: ['test/limits/**/*.test.ts'],
          // CPU shares are measured: these run alone, after everything else.
          testTimeout: 120_000,
          hookTimeout: 60_000,
          maxWorkers: 1,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
