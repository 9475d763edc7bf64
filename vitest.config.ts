import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration and end-to-end tests start servers on loopback; keep them from
    // starving each other on small CI machines.
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
