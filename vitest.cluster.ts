import { defineConfig } from 'vitest/config';

// `pnpm test:cluster`: cluster mode with real processes — each test file starts its own
// PostgreSQL cluster, Redis (Debian's redis-server) and several Ajuda server processes on
// loopback (apps/server/test/cluster/harness.ts). One file at a time: every file starts several
// processes and the machine may have only 2 cores.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true as const,
        test: {
          name: 'server-cluster',
          root: 'apps/server',
          include: ['test/cluster/**/*.test.ts'],
        },
      },
    ],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
  },
});
