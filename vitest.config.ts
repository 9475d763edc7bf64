import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // Integration and end-to-end tests start servers on loopback and wait for conditions
    // with generous deadlines of their own; these are only backstops against a hang, set
    // far above what a loaded 2-core machine needs (tests carry no upper time bounds).
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Vitest's default (cores - 1) runs the files one at a time on a 2-core machine. Many
    // files wait on loopback I/O and scaled timers, so two at a time roughly halves the
    // wall time there (measured: 3 min 3 s -> 1 min 57 s); three was no faster. Each file
    // keeps its own process (isolation): it saves CPU but lets state leak between files.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
